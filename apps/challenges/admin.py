from datetime import timedelta

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin, TranslationStackedInline
from modeltranslation.utils import get_translation_fields

from apps.challenges.models import KNOWN_PROPERTIES, Challenge, ChallengeStep, LeaderboardName
from apps.challenges.selectors import challenge_preview_count
from apps.challenges.services import (
    challenge_set_image,
    challenge_steps_changed,
    leaderboard_leave,
)
from apps.core.admin_mixins import image_preview
from apps.core.forms import ImageUploadField


class ChallengeStepForm(forms.ModelForm):
    """Conditions picked from the properties the known events carry, not typed as JSON."""

    condition_property = forms.ChoiceField(
        label=_("only when"),
        required=False,
        choices=[("", "—"), *((name, name) for name in KNOWN_PROPERTIES)],
    )
    condition_value = forms.CharField(
        label=_("is"), required=False, max_length=200, help_text=_('e.g. campaign is "tagesfrage"')
    )

    class Meta:
        model = ChallengeStep
        fields = [
            "position",
            "kind",
            "label",
            "event_name",
            "required_count",
            "streak_unit",
            "grace_periods",
            "window_starts_at",
            "window_ends_at",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.conditions:
            (name, value), *_rest = self.instance.conditions.items()
            self.initial.setdefault("condition_property", name)
            self.initial.setdefault("condition_value", value)

    def clean(self) -> dict:
        cleaned = super().clean()
        name, value = cleaned.get("condition_property"), cleaned.get("condition_value", "")
        if name and not value.strip():
            self.add_error("condition_value", _("Say which value the property must have."))
        self.instance.conditions = {name: value.strip()} if name and value.strip() else {}
        return cleaned


class ChallengeStepInline(TranslationStackedInline):
    model = ChallengeStep
    form = ChallengeStepForm
    extra = 0
    fields = [
        ("position", "kind"),
        "label",
        ("event_name", "required_count"),
        ("condition_property", "condition_value"),
        ("streak_unit", "grace_periods"),
        ("window_starts_at", "window_ends_at"),
    ]


class ChallengeForm(forms.ModelForm):
    image_upload = ImageUploadField(
        label=_("image"),
        required=False,
        help_text=_("JPEG, PNG, WebP or GIF, at most 8 MB; stored at 600 x 300 px."),
    )

    class Meta:
        model = Challenge
        fields = [
            "slug",
            "is_active",
            "position",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "recurrence",
            "is_hidden",
            "minimum_tier",
            "badge",
            "has_leaderboard",
        ]


@admin.register(Challenge)
class ChallengeAdmin(TabbedTranslationAdmin):
    form = ChallengeForm
    list_display = [
        "slug",
        "title",
        "recurrence",
        "is_hidden",
        "is_active",
        "starts_at",
        "ends_at",
    ]
    list_filter = ["is_active", "recurrence", "is_hidden"]
    search_fields = ["slug", *get_translation_fields("title")]
    readonly_fields = ["would_have_completed_last_month", "current_image"]
    inlines = [ChallengeStepInline]
    fieldsets = [
        (None, {"fields": ["slug", "is_active", "position"]}),
        (
            _("Texts"),
            {
                "fields": [
                    "title",
                    "description",
                    "image_upload",
                    "current_image",
                ]
            },
        ),
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

    @admin.display(description=_("current image"))
    def current_image(self, challenge: Challenge) -> str:
        return image_preview(challenge.image, width=300, height=150)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if form.cleaned_data.get("image_upload"):
            challenge_set_image(challenge=form.instance, upload=form.cleaned_data["image_upload"])
        challenge_steps_changed()

    def delete_model(self, request: HttpRequest, obj: Challenge) -> None:
        super().delete_model(request, obj)
        challenge_steps_changed()

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        super().delete_queryset(request, queryset)
        challenge_steps_changed()


@admin.register(LeaderboardName)
class LeaderboardNameAdmin(admin.ModelAdmin):
    """Moderation: staff can remove a name that slipped through; they never see who it is."""

    list_display = ["display_name", "created_at"]
    search_fields = ["display_name"]
    fields = ["display_name", "created_at"]
    readonly_fields = ["display_name", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: LeaderboardName) -> None:
        leaderboard_leave(profile=obj.profile)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for name in queryset.select_related("profile"):
            leaderboard_leave(profile=name.profile)
