from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.partners.models import PartnerClient


@admin.register(PartnerClient)
class PartnerClientAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "embed_algorithm", "is_active", "created_at"]
    list_filter = ["is_active", "embed_algorithm"]
    search_fields = ["name", "key"]
    fieldsets = [
        (None, {"fields": ["name", "key", "contact_email", "is_active"]}),
        (_("Embedded sign-in"), {"fields": ["embed_algorithm", "embed_key"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # The key names the partner's customer ids; changing it would orphan them.
        return ["key"] if obj else []
