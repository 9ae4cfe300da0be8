"""Admin mixins every app's admin uses: one that logs staff reads of personal data and asks
for the reason first, one that records configuration changes in the audit trail."""

from django import forms
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.audit.models import ConfigChange
from apps.audit.services import access_log_record, config_change_record, config_snapshot
from apps.profiles.models import Profile

# A reason given once covers further looks at the same record for this long.
REASON_VALID_SECONDS = 30 * 60


class AccessReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to see this customer's data?"),
        min_length=5,
        max_length=300,
        help_text=_("For example the ticket number of the request you are answering."),
        widget=forms.TextInput(attrs={"size": 60, "autofocus": True}),
    )


class AccessLoggedAdminMixin(admin.ModelAdmin):
    """Log every staff read of personal data: each profile on a list page or detail page.
    A detail page asks for the reason first; the log keeps it with the read."""

    access_log_data_category: str = ""
    # The field that points at the profile; empty when the objects are profiles themselves.
    access_log_profile_attribute: str = "profile"
    access_log_reason_required: bool = True

    def _log(self, request: HttpRequest, objects: list[Model], reason: str = "") -> None:
        attribute = self.access_log_profile_attribute
        profiles = {
            (getattr(obj, f"{attribute}_id") if attribute else obj.pk): None for obj in objects
        }
        profiles.pop(None, None)
        if profiles:
            access_log_record(
                profiles=[Profile(pk=pk) for pk in profiles],
                data_category=self.access_log_data_category,
                staff_user=request.user,
                reason=reason,
            )

    def _reason_key(self, object_id: str) -> str:
        return f"access-reason:{self.opts.label_lower}:{object_id}"

    def _given_reason(self, request: HttpRequest, object_id: str) -> str:
        given = request.session.get(self._reason_key(object_id))
        if not given or timezone.now().timestamp() - given["at"] > REASON_VALID_SECONDS:
            return ""
        return given["reason"]

    def _ask_reason(self, request: HttpRequest, object_id: str) -> HttpResponse:
        form = AccessReasonForm(request.POST if "_access_reason" in request.POST else None)
        if form.is_valid():
            request.session[self._reason_key(object_id)] = {
                "reason": form.cleaned_data["reason"],
                "at": timezone.now().timestamp(),
            }
            return HttpResponseRedirect(request.get_full_path())
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Reason for looking"),
            "form": form,
        }
        return TemplateResponse(request, "admin/audit/access_reason.html", context)

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        if isinstance(response, TemplateResponse) and "cl" in (response.context_data or {}):
            self._log(request, list(response.context_data["cl"].result_list))
        return response

    def change_view(self, request: HttpRequest, object_id: str, form_url="", extra_context=None):
        reason = self._given_reason(request, object_id)
        if self.access_log_reason_required and not reason:
            return self._ask_reason(request, object_id)
        response = super().change_view(request, object_id, form_url, extra_context)
        if isinstance(response, TemplateResponse) and response.context_data.get("original"):
            self._log(request, [response.context_data["original"]], reason)
        return response


class ConfigAuditedAdminMixin(admin.ModelAdmin):
    """Writes a ConfigChange for every add, change and delete made through this admin.

    The state before is read when the admin loads the object for a POST, before the form
    touches it, and kept on the request (the admin instance is shared between requests);
    the state after is read where Django logs the change, once related objects are saved."""

    def config_state(self, obj: Model) -> dict:
        """What the trail compares before and after. An admin whose inlines edit
        configuration adds their rows here: the object's own snapshot does not see them."""
        return config_snapshot(obj)

    def _before_key(self, obj: Model) -> str:
        return f"_config_before_{obj._meta.label}_{obj.pk}"

    def get_object(self, request: HttpRequest, object_id: str, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and request.method == "POST":
            setattr(request, self._before_key(obj), self.config_state(obj))
        return obj

    def log_addition(self, request: HttpRequest, obj: Model, message):
        config_change_record(
            staff_user=request.user,
            obj=obj,
            action=ConfigChange.Action.ADDED,
            after=self.config_state(obj),
        )
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Model, message):
        before = getattr(request, self._before_key(obj), {})
        after = self.config_state(type(obj)._default_manager.get(pk=obj.pk))
        if before != after:
            config_change_record(
                staff_user=request.user,
                obj=obj,
                action=ConfigChange.Action.CHANGED,
                before=before,
                after=after,
            )
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset):
        for obj in queryset:
            config_change_record(
                staff_user=request.user,
                obj=obj,
                action=ConfigChange.Action.DELETED,
                before=self.config_state(obj),
            )
        return super().log_deletions(request, queryset)
