from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from apps.privacy.services import access_log_record
from apps.profiles.models import Profile


class AccessLoggedAdminMixin(admin.ModelAdmin):
    """Log every staff read of personal data: each profile on a list page or detail page."""

    access_log_data_category: str = ""
    # The field that points at the profile; empty when the objects are profiles themselves.
    access_log_profile_attribute: str = "profile"

    def _log(self, request: HttpRequest, objects: list[Model]) -> None:
        attribute = self.access_log_profile_attribute
        profiles = {
            (getattr(obj, f"{attribute}_id") if attribute else obj.pk): None for obj in objects
        }
        if profiles:
            access_log_record(
                profiles=[Profile(pk=pk) for pk in profiles],
                data_category=self.access_log_data_category,
                staff_user=request.user,
            )

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        if isinstance(response, TemplateResponse) and "cl" in (response.context_data or {}):
            self._log(request, list(response.context_data["cl"].result_list))
        return response

    def change_view(self, request: HttpRequest, object_id: str, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if isinstance(response, TemplateResponse) and response.context_data.get("original"):
            self._log(request, [response.context_data["original"]])
        return response
