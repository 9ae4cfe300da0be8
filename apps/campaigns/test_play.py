"""Play as a test customer: the real player once more under `/preview/<language>/`, for staff.

The admin's campaign page frames it at phone width. Every request there (and every htmx
request a framed page makes, such as a consent answer on the result page) plays as the staff
user's own test customer (`Profile.is_test`), in the language of the address, and may open
drafts. These are the only pages that may be framed, and only by our own pages.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from csp.constants import SELF
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.campaigns.models import Campaign
from apps.core.http import safe_local_path
from apps.profiles.services import profile_test_for, profile_test_reset

PREVIEW_PREFIX = "/preview/"
_PREVIEW_PATH = re.compile(r"^/preview/(?P<language>[\w-]+)/c/")
# Headers that send the browser somewhere else: the next page stays inside the preview.
_ADDRESS_HEADERS = ("Location", "HX-Redirect", "HX-Push-Url", "HX-Location")


def preview_namespace(language: str) -> str:
    """The URL namespace of the player under /preview/<language>/."""
    return f"campaigns-test-{language}"


def preview_url(*, campaign: Campaign, language: str) -> str:
    return reverse(f"{preview_namespace(language)}:intro", args=[campaign.slug])


@dataclass(frozen=True)
class PreviewLanguage:
    code: str
    name: str
    url: str


@dataclass(frozen=True)
class PreviewPanel:
    url: str
    languages: list[PreviewLanguage]


def preview_panel(*, campaign: Campaign | None, language: str) -> PreviewPanel | None:
    """What the admin's campaign page shows beside the form: the player as the staff user's
    test customer, first in the admin's own language; None before the campaign is saved."""
    if campaign is None or campaign.pk is None:
        return None
    languages = [
        PreviewLanguage(code, str(name), preview_url(campaign=campaign, language=code))
        for code, name in settings.LANGUAGES
    ]
    chosen = next((item for item in languages if item.code == language), languages[0])
    return PreviewPanel(url=chosen.url, languages=languages)


def is_test_play(request: HttpRequest) -> bool:
    return getattr(request, "test_play", False)


def _preview_language(request: HttpRequest) -> tuple[str | None, bool]:
    """(language, framed): the preview's language when this request belongs to it, and
    whether it is a preview page itself rather than an htmx request one of them makes."""
    match = _PREVIEW_PATH.match(request.path_info)
    framed = match is not None
    if match is None and request.headers.get("HX-Request") == "true":
        match = _PREVIEW_PATH.match(urlsplit(request.headers.get("HX-Current-URL", "")).path)
    supported = {code for code, _name in settings.LANGUAGES}
    if match is None or match["language"] not in supported:
        return None, False
    return match["language"], framed


def _keep_in_preview(response: HttpResponse, language: str) -> None:
    """The player's views send customers to /c/...; in the preview they stay in it."""
    for header in _ADDRESS_HEADERS:
        address = response.get(header, "")
        if address.startswith("/c/"):
            response[header] = f"{PREVIEW_PREFIX}{language}{address}"


def _may_preview(request: HttpRequest) -> bool:
    """Staff who may see campaigns in the admin, past its second factor where they need one:
    they may see any of them played."""
    return admin.site.has_permission(request) and request.user.has_perm("campaigns.view_campaign")


def _signed_in_halfway(user) -> bool:
    """Staff signed in by password who still owe the admin their second factor."""
    return user.is_authenticated and user.is_active and user.is_staff


class TestPlayMiddleware:
    """Runs after `ProfileMiddleware`: replaces the visitor's profile by the staff user's test
    customer on preview requests. A visitor who is not signed in to the admin is sent to its
    login; anyone signed in who may not see campaigns in the admin gets 404, never the draft."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language, framed = _preview_language(request)
        if language is None:
            return self.get_response(request)
        user = request.user
        if not _may_preview(request):
            if not framed:
                # An htmx request claiming to come from a preview: an ordinary request.
                return self.get_response(request)
            if not user.is_authenticated or (
                _signed_in_halfway(user) and not admin.site.has_permission(request)
            ):
                return redirect_to_login(request.get_full_path(), reverse("admin:login"))
            raise Http404(_("This page does not exist."))
        request.test_play = True
        request.profile = SimpleLazyObject(lambda: profile_test_for(user=user, locale=language))
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers["Content-Language"] = language
        if framed:
            response["X-Frame-Options"] = "SAMEORIGIN"
            response._csp_replace = {"frame-ancestors": [SELF]}
            _keep_in_preview(response, language)
        return response


@staff_member_required
@require_POST
def test_customer_reset(request: HttpRequest) -> HttpResponse:
    """Reset test data: the staff user's next preview plays as a new test customer."""
    profile_test_reset(user=request.user)
    messages.success(request, _("Your test customer starts over: nothing played, no points."))
    return redirect(
        safe_local_path(request, request.POST.get("next", ""), default=reverse("admin:index"))
    )
