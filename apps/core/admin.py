from django.contrib import admin
from django.http import HttpRequest

from apps.core.models import OutboxEvent


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "created_at", "published_at", "relay_attempts"]
    list_filter = ["name", ("published_at", admin.EmptyFieldListFilter)]
    search_fields = ["name"]
    readonly_fields = ["name", "payload", "created_at", "published_at", "relay_attempts"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboxEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutboxEvent | None = None) -> bool:
        return False
