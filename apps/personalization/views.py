from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.core.exceptions import ApplicationError
from apps.personalization.models import Offer, OfferSettings
from apps.personalization.selectors import recommendations
from apps.personalization.services import offer_dismiss, offer_settings_save, offers_shown
from apps.profiles.http import HtmxHttpRequest


class OfferSettingsForm(forms.Form):
    paused = forms.BooleanField(label=_("No offers for now"), required=False)
    max_per_week = forms.TypedChoiceField(
        label=_("New offers a week at most"),
        choices=[("", _("No limit")), ("1", "1"), ("3", "3"), ("7", "7")],
        coerce=int,
        empty_value=None,
        required=False,
    )


def _page(request: HtmxHttpRequest, form: OfferSettingsForm | None = None, status: int = 200):
    profile = request.profile or None
    ranked = recommendations(profile=profile)
    if profile and ranked:
        offers_shown(profile=profile, offers=[item.offer for item in ranked])
    if form is None:
        current = OfferSettings.objects.filter(profile=profile).first() if profile else None
        form = OfferSettingsForm(
            initial={"paused": current.paused, "max_per_week": current.max_per_week}
            if current
            else {}
        )
    return render(
        request,
        "personalization/for-you.html",
        {"recommendations": ranked, "settings_form": form},
        status=status,
    )


@require_GET
def for_you(request: HtmxHttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
def offer_settings(request: HtmxHttpRequest) -> HttpResponse:
    form = OfferSettingsForm(request.POST)
    profile = request.profile or None
    if form.is_valid() and profile is None:
        form.add_error(None, _("Take part in a campaign first; then you can set this."))
    if not form.is_valid():
        return _page(request, form, status=400)
    offer_settings_save(
        profile=profile,
        paused=form.cleaned_data["paused"],
        max_per_week=form.cleaned_data["max_per_week"],
    )
    messages.success(request, _("Saved: we will keep to it."))
    return redirect("personalization:for-you")


@require_POST
def offer_not_interested(request: HtmxHttpRequest, key: str) -> HttpResponse:
    offer = get_object_or_404(Offer.objects.running(), key=key)
    if not request.profile:
        messages.error(request, _("Take part in a campaign first; then you can set this."))
        return redirect("personalization:for-you")
    try:
        offer_dismiss(profile=request.profile, offer=offer)
    except ApplicationError as problem:
        messages.error(request, problem.message)
    else:
        messages.success(
            request,
            _(
                "Understood: we will not show you this again. You can take it back in your "
                "preferences."
            ),
        )
    return redirect("personalization:for-you")
