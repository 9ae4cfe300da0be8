from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.audit.selectors import access_log_for_profile
from apps.consent.evidence import gpc_signal
from apps.consent.selectors import consent_choices
from apps.core.exceptions import ApplicationError
from apps.preferences.forms import PreferenceValueForm
from apps.preferences.models import Attribute, Declaration, Source
from apps.preferences.selectors import (
    PreferenceRow,
    attribute_get,
    attribute_get_active,
    declaration_history_list,
    declaration_list_told,
    preference_center_groups,
    preference_row,
)
from apps.preferences.services import preference_confirm, preference_declare, preference_delete
from apps.preferences.values import attribute_display_value
from apps.profiles.http import HtmxHttpRequest
from apps.profiles.selectors import profile_email

ACCESS_LOG_SHOWN = 50
HISTORY_SHOWN = 200


def _attribute_or_404(key: str, *, active_only: bool = True) -> Attribute:
    attribute = attribute_get_active(key=key) if active_only else attribute_get(key=key)
    if attribute is None:
        raise Http404(_("We do not ask about this."))
    return attribute


def _row_response(
    request: HtmxHttpRequest, attribute: Attribute, *, success: str = "", error: str = ""
) -> HttpResponse:
    row = preference_row(profile=request.profile or None, attribute=attribute)
    context = {"row": row, "success": success, "error": error}
    return render(request, "preferences/center.html#preference-row", context)


def _back_to_center(request: HtmxHttpRequest, attribute: Attribute, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(f"{reverse('preferences:center')}#pref-{attribute.key}")


@require_GET
def preference_center(request: HtmxHttpRequest) -> HttpResponse:
    profile = request.profile or None
    access_log = access_log_for_profile(profile=profile)[:ACCESS_LOG_SHOWN] if profile else []
    return render(
        request,
        "preferences/center.html",
        {
            "groups": preference_center_groups(profile=profile),
            "choices": consent_choices(profile=profile),
            "access_log": access_log,
            "signed_in_email": profile_email(profile=profile),
            "gpc": gpc_signal(request),
            "next_url": reverse("preferences:center"),
            "collection_point": "preference-center",
        },
    )


def _declared_or_404(row: PreferenceRow) -> Any:
    """What the customer said, for an attribute they can only change once they said it."""
    if not row.attribute.is_asked and row.declaration is None:
        raise Http404(_("We do not ask about this."))
    return row.declaration.value if row.declaration else None


@require_GET
def preference_edit(request: HtmxHttpRequest, attribute_key: str) -> HttpResponse:
    attribute = _attribute_or_404(attribute_key)
    row = preference_row(profile=request.profile or None, attribute=attribute)
    declared = _declared_or_404(row)
    initial = {"value": declared} if row.declaration else {}
    form = PreferenceValueForm(attribute=attribute, declared=declared, initial=initial)
    context = {"row": row, "form": form}
    if request.htmx:
        return render(request, "preferences/edit.html#preference-edit", context)
    return render(request, "preferences/edit.html", context)


@require_POST
def preference_save(request: HtmxHttpRequest, attribute_key: str) -> HttpResponse:
    attribute = _attribute_or_404(attribute_key)
    declared = None
    if not attribute.is_asked:
        declared = _declared_or_404(
            preference_row(profile=request.profile or None, attribute=attribute)
        )
    form = PreferenceValueForm(request.POST, attribute=attribute, declared=declared)
    error = ""
    if not form.is_valid():
        error = form.first_error()
    elif not request.profile:
        error = _("To save this, first agree to “%(purpose)s”.") % {
            "purpose": attribute.purpose_title
        }
    else:
        try:
            preference_declare(
                profile=request.profile,
                attribute=attribute,
                value=form.cleaned_data["value"],
                source=Source.PREFERENCE_CENTER,
            )
        except ApplicationError as problem:
            error = problem.message
    if not error:
        if request.htmx:
            return _row_response(request, attribute, success=_("Saved."))
        return _back_to_center(request, attribute, _("Saved."))
    row = preference_row(profile=request.profile or None, attribute=attribute)
    context = {"row": row, "form": form, "error": error}
    if request.htmx:
        return render(request, "preferences/edit.html#preference-edit", context)
    return render(request, "preferences/edit.html", context, status=400)


def _own_declaration_action(request: HtmxHttpRequest, declaration_id: int, action) -> Attribute:
    if not request.profile:
        raise Http404(_("We could not find this answer."))
    declaration = (
        declaration_list_told(profile=request.profile)
        .filter(pk=declaration_id)
        .select_related("attribute")
        .first()
    )
    if declaration is None:
        raise Http404(_("We could not find this answer."))
    try:
        action(profile=request.profile, declaration_id=declaration_id)
    except Declaration.DoesNotExist:
        raise Http404(_("We could not find this answer.")) from None
    return declaration.attribute


@require_POST
def preference_still_true(request: HtmxHttpRequest, declaration_id: int) -> HttpResponse:
    try:
        attribute = _own_declaration_action(request, declaration_id, preference_confirm)
    except ApplicationError as problem:
        if request.htmx:
            return HttpResponse(problem.message, status=409)
        messages.error(request, problem.message)
        return redirect("preferences:center")
    if request.htmx:
        return _row_response(request, attribute, success=_("Thanks for confirming."))
    return _back_to_center(request, attribute, _("Thanks for confirming."))


@require_POST
def preference_forget(request: HtmxHttpRequest, declaration_id: int) -> HttpResponse:
    attribute = _own_declaration_action(request, declaration_id, preference_delete)
    if request.htmx:
        return _row_response(request, attribute, success=_("Deleted. We no longer use it."))
    return _back_to_center(request, attribute, _("Deleted. We no longer use it."))


@require_GET
def preference_history(request: HtmxHttpRequest, attribute_key: str) -> HttpResponse:
    attribute = _attribute_or_404(attribute_key, active_only=False)
    allowed = list(attribute.values.all())
    entries = [
        (
            entry,
            attribute_display_value(attribute=attribute, value=entry.value, allowed=allowed)
            if entry.value is not None
            else "",
        )
        for entry in declaration_history_list(profile=request.profile or None, attribute=attribute)[
            :HISTORY_SHOWN
        ]
    ]
    return render(request, "preferences/history.html", {"attribute": attribute, "entries": entries})
