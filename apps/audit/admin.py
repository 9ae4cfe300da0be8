import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.audit.admin_mixins import AccessLoggedAdminMixin
from apps.audit.models import AccessLog, ConfigChange
from apps.core.admin_mixins import ReadOnlyAdminMixin
from apps.profiles.models import Identifier, Profile


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


@admin.register(ConfigChange)
class ConfigChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["occurred_at", "staff_username", "action", "content_type", "object_repr"]
    list_filter = ["action", "content_type"]
    search_fields = ["staff_username", "object_repr", "=object_id"]
    date_hierarchy = "occurred_at"
    list_select_related = ["content_type"]
    fields = [
        "occurred_at",
        "staff_username",
        "action",
        "content_type",
        "object_id",
        "object_repr",
        "changes_shown",
    ]
    readonly_fields = fields

    @admin.display(description=_("changes"))
    def changes_shown(self, change: ConfigChange) -> str:
        text = json.dumps(change.changes, indent=2, ensure_ascii=False, sort_keys=True)
        return format_html("<pre>{}</pre>", text)


# The profiles' admin lives here, not in the profiles app: every look at a person is logged,
# and profiles sits below this app, so it cannot use the read-logging mixin itself.
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
