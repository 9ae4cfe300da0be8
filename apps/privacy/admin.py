from django.contrib import admin
from django.http import HttpRequest

from apps.privacy.models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = [
        "occurred_at",
        "actor_kind",
        "staff_user",
        "partner_name",
        "data_category",
        "purpose_key",
        "action",
        "profile",
    ]
    list_filter = ["actor_kind", "data_category", "action"]
    list_select_related = ["staff_user", "profile"]
    search_fields = ["=profile__public_id", "partner_name", "staff_user__username"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AccessLog | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AccessLog | None = None) -> bool:
        return False
