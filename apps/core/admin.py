from django.contrib import admin

from apps.core.admin_mixins import ReadOnlyAdminMixin
from apps.core.models import OutboxEvent


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "name", "created_at", "published_at", "relay_attempts"]
    list_filter = ["name", ("published_at", admin.EmptyFieldListFilter)]
    search_fields = ["name"]
    readonly_fields = ["name", "payload", "created_at", "published_at", "relay_attempts"]
    date_hierarchy = "created_at"
