from django.contrib import admin

from apps.privacy.admin_mixins import AccessLoggedAdminMixin
from apps.profiles.models import Identifier, Profile


class IdentifierInline(admin.TabularInline):
    model = Identifier
    extra = 0
    can_delete = False
    fields = ["kind", "namespace", "value", "verified_at", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Profile)
class ProfileAdmin(AccessLoggedAdminMixin, admin.ModelAdmin):
    access_log_data_category = "profile"
    access_log_profile_attribute = ""
    list_display = ["public_id", "kind", "locale", "created_at", "last_seen_at"]
    list_filter = ["kind", "locale"]
    search_fields = ["=public_id", "=identifiers__value", "=identifiers__value_sha256"]
    readonly_fields = [
        "public_id",
        "kind",
        "merged_into",
        "merged_at",
        "erased_at",
        "created_at",
        "updated_at",
        "last_seen_at",
    ]
    exclude = ["session_generation"]
    inlines = [IdentifierInline]
    date_hierarchy = "created_at"
