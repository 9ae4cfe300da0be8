from django.contrib import admin

from apps.profiles.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["public_id", "kind", "locale", "created_at", "last_seen_at"]
    list_filter = ["kind", "locale"]
    search_fields = ["=public_id"]
    readonly_fields = ["public_id", "created_at", "updated_at", "last_seen_at"]
    date_hierarchy = "created_at"
