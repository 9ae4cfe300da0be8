from django.contrib import admin

from apps.core.admin_mixins import ReadOnlyAdminMixin
from apps.privacy.models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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


# The requests desk and the governance pages register themselves with the admin site.
from apps.privacy import desk_admin, governance_admin  # noqa: E402, F401
