from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.core.http import HtmxHttpRequest
from apps.personalization.models import Offer
from apps.personalization.selectors import recommendations
from apps.personalization.services import offer_dismiss


@require_GET
def for_you(request: HtmxHttpRequest) -> HttpResponse:
    return render(
        request,
        "personalization/for-you.html",
        {"recommendations": recommendations(profile=request.profile or None)},
    )


@require_POST
def offer_not_interested(request: HtmxHttpRequest, key: str) -> HttpResponse:
    offer = get_object_or_404(Offer.objects.running(), key=key)
    if request.profile:
        offer_dismiss(profile=request.profile, offer=offer)
    messages.success(request, _("Understood: we will not show you this again."))
    return redirect("personalization:for-you")
