"""Admin for data governance: retention rules and runs, the record of processing, and roles that nobody can widen for themselves."""

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from apps.audit.admin_mixins import ConfigAuditedAdminMixin
from apps.core.admin_mixins import ReadOnlyAdminMixin
from apps.privacy.models import RetentionRule, RetentionRun
from apps.privacy.processing import record_of_processing


@admin.register(RetentionRule)
class RetentionRuleAdmin(ConfigAuditedAdminMixin, admin.ModelAdmin):
    list_display = ["purpose", "data_kind", "days_after_withdrawal", "max_age_days"]
    list_filter = ["data_kind", "purpose"]
    list_select_related = ["purpose__current_version"]
    change_list_template = "admin/privacy/retentionrule/change_list.html"

    def get_urls(self):
        record = self.admin_site.admin_view(self.record_view)
        record_json = self.admin_site.admin_view(self.record_json_view)
        return [
            path("record-of-processing/", record, name="privacy_record_of_processing"),
            path(
                "record-of-processing.json",
                record_json,
                name="privacy_record_of_processing_json",
            ),
            *super().get_urls(),
        ]

    def record_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Record of processing activities"),
            "opts": self.opts,
            "record": record_of_processing(),
        }
        return TemplateResponse(request, "admin/privacy/record_of_processing.html", context)

    def record_json_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return JsonResponse(
            record_of_processing(), encoder=DjangoJSONEncoder, json_dumps_params={"indent": 2}
        )


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["started_at", "finished_at", "total_removed", "removed_counts"]
    fields = ["started_at", "finished_at", "removed_counts"]
    readonly_fields = fields

    @admin.display(description=_("removed"))
    def removed_counts(self, run: RetentionRun) -> str:
        return ", ".join(f"{kind}: {count}" for kind, count in sorted(run.removed.items()))


class OwnAccessGuard:
    """Nobody but a superuser widens their own access: a staff member cannot edit a group
    they belong to, nor their own account's groups and permissions."""

    own_access_message = _("You cannot change your own permissions. Ask another administrator.")

    def _is_own(self, request: HttpRequest, obj) -> bool:
        raise NotImplementedError

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and not request.user.is_superuser and self._is_own(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and not request.user.is_superuser and self._is_own(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    def change_view(self, request: HttpRequest, object_id: str, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and not request.user.is_superuser and self._is_own(request, obj):
            self.message_user(request, self.own_access_message, messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)


admin.site.unregister(Group)
admin.site.unregister(User)


@admin.register(Group)
class RoleAdmin(OwnAccessGuard, ConfigAuditedAdminMixin, GroupAdmin):
    def _is_own(self, request: HttpRequest, obj: Group) -> bool:
        return request.user.groups.filter(pk=obj.pk).exists()


@admin.register(User)
class StaffUserAdmin(OwnAccessGuard, ConfigAuditedAdminMixin, UserAdmin):
    def _is_own(self, request: HttpRequest, obj: User) -> bool:
        return obj.pk == request.user.pk
