from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from apps.profiles.models import Profile


class HtmxHttpRequest(HttpRequest):
    """The request our middleware hands to views: htmx details and the lazy profile."""

    htmx: HtmxDetails
    profile: Profile | None
