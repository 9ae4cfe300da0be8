from datetime import timedelta

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.challenges.models import Challenge, ChallengeStep, LeaderboardName
from apps.challenges.selectors import challenge_preview_count
from apps.challenges.services import STEP_EVENTS_CACHE_KEY, local_cache


class ChallengeStepInline(admin.StackedInline):
    model = ChallengeStep
    extra = 0
    fields = [
        ("position", "kind"),
        ("label_de", "label_en"),
        ("event_name", "required_count"),
        "conditions",
        ("streak_unit", "grace_periods"),
        ("window_starts_at", "window_ends_at"),
    ]


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = [
        "slug",
        "title_de",
        "recurrence",
        "is_hidden",
        "is_active",
        "starts_at",
        "ends_at",
    ]
    list_filter = ["is_active", "recurrence", "is_hidden"]
    search_fields = ["slug", "title_de", "title_en"]
    readonly_fields = ["would_have_completed_last_month"]
    inlines = [ChallengeStepInline]
    fieldsets = [
        (None, {"fields": ["slug", "is_active", "position"]}),
        (_("Texts"), {"fields": [("title_de", "title_en"), ("description_de", "description_en")]}),
        (_("Schedule"), {"fields": [("starts_at", "ends_at"), "recurrence"]}),
        (
            _("Who and what for"),
            {"fields": ["is_hidden", "minimum_tier", "badge", "has_leaderboard"]},
        ),
        (_("Preview"), {"fields": ["would_have_completed_last_month"]}),
    ]

    @admin.display(description=_("would have completed in the last 30 days"))
    def would_have_completed_last_month(self, challenge: Challenge) -> str:
        if not challenge.pk:
            return "—"
        until = timezone.now()
        count = challenge_preview_count(
            challenge=challenge, since=until - timedelta(days=30), until=until
        )
        return _("%(count)s customers (a count only)") % {"count": count}

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        local_cache.delete(STEP_EVENTS_CACHE_KEY)


@admin.register(LeaderboardName)
class LeaderboardNameAdmin(admin.ModelAdmin):
    """Moderation: staff can remove a name that slipped through; they never see who it is."""

    list_display = ["display_name", "created_at"]
    search_fields = ["display_name"]
    fields = ["display_name", "created_at"]
    readonly_fields = ["display_name", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
