from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel, within_schedule
from apps.loyalty.models import Badge, Tier
from apps.profiles.models import Profile

# Events a step may count, for the admin's dropdown: (name, what it means). Never consent or
# preference events: completing a challenge earns points, and rewards must not depend on
# saying yes to a purpose.
KNOWN_EVENTS = [
    ("quiz.completed", _("Completed a quiz, poll or survey")),
    ("participation.started", _("Started a campaign")),
    ("question.answered", _("Answered a question")),
    ("reward.redeemed", _("Redeemed a reward")),
    ("profile.identified", _("Became a member")),
]
# Properties the known events carry, for conditions (e.g. {"campaign": "tagesfrage"}).
KNOWN_PROPERTIES = ["campaign", "kind", "outcome", "score", "attribute", "reward", "question"]


class ChallengeQuerySet(models.QuerySet["Challenge"]):
    def running(self, at=None) -> "ChallengeQuerySet":
        at = at or timezone.now()
        return self.filter(within_schedule(at), is_active=True)


class Challenge(TimeStampedModel):
    """A goal made of steps, each counting events; completing it publishes
    `challenge.completed`, which loyalty rewards with points and badges."""

    class Recurrence(models.TextChoices):
        ONCE = "once", _("Once")
        WEEKLY = "weekly", _("Every week")
        MONTHLY = "monthly", _("Every month")

    slug = models.SlugField(_("key"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    image = models.ImageField(_("image"), upload_to="challenges/", blank=True, editable=False)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    recurrence = models.CharField(
        _("can be completed"), max_length=20, choices=Recurrence, default=Recurrence.ONCE
    )
    is_hidden = models.BooleanField(
        _("hidden"), default=False, help_text=_("A surprise: shown only once completed.")
    )
    minimum_tier = models.ForeignKey(
        Tier, verbose_name=_("for tier and above"), on_delete=models.PROTECT, null=True, blank=True
    )
    badge = models.ForeignKey(
        Badge,
        verbose_name=_("badge awarded"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="challenges",
    )
    has_leaderboard = models.BooleanField(_("leaderboard"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.slug

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must come after the start.")})


class ChallengeStep(models.Model):
    """Event X happened N times where conditions hold, within the window; or, as a streak,
    on N days (or weeks) in a row in the customer's own time zone."""

    class Kind(models.TextChoices):
        COUNT = "count", _("Number of times")
        STREAK = "streak", _("In a row")

    class Unit(models.TextChoices):
        DAY = "day", _("Days")
        WEEK = "week", _("Weeks")

    challenge = models.ForeignKey(
        Challenge, verbose_name=_("challenge"), on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("label"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.COUNT)
    event_name = models.CharField(
        _("event"),
        max_length=100,
        choices=KNOWN_EVENTS,
        help_text=_("A new or changed step counts events from at most a minute after saving."),
    )
    conditions = models.JSONField(
        _("conditions"),
        default=dict,
        blank=True,
        help_text=_('Event properties that must match, e.g. {"campaign": "tagesfrage"}.'),
    )
    required_count = models.PositiveSmallIntegerField(_("how many"), default=1)
    streak_unit = models.CharField(
        _("streak counted in"), max_length=10, choices=Unit, default=Unit.DAY
    )
    grace_periods = models.PositiveSmallIntegerField(_("missed days or weeks forgiven"), default=0)
    window_starts_at = models.DateTimeField(_("counts from"), null=True, blank=True)
    window_ends_at = models.DateTimeField(_("counts until"), null=True, blank=True)

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(required_count__gte=1), name="challenges_step_count_positive"
            ),
        ]
        indexes = [models.Index(fields=["event_name"], name="challenges_step_event_idx")]

    def __str__(self) -> str:
        return f"{self.event_name} x {self.required_count}"

    def clean(self) -> None:
        errors = {}
        if not self.required_count:
            errors["required_count"] = _("A step needs at least one event.")
        if self.event_name.startswith(("consent.", "preference.")):
            errors["event_name"] = _(
                "Steps cannot depend on consent: points are for taking part, not for saying yes."
            )
        if not isinstance(self.conditions, dict) or any(
            key not in KNOWN_PROPERTIES for key in self.conditions
        ):
            errors["conditions"] = _("Conditions are properties from this list: %(names)s.") % {
                "names": ", ".join(KNOWN_PROPERTIES)
            }
        if (
            self.window_starts_at
            and self.window_ends_at
            and self.window_ends_at <= self.window_starts_at
        ):
            errors["window_ends_at"] = _("The window must end after it starts.")
        if errors:
            raise ValidationError(errors)


class ChallengeProgress(models.Model):
    """One customer's way through one challenge in one period ("once", "2026-11", ...)."""

    profile = models.ForeignKey(
        Profile,
        verbose_name=_("profile"),
        on_delete=models.CASCADE,
        related_name="challenge_progress",
    )
    challenge = models.ForeignKey(
        Challenge, verbose_name=_("challenge"), on_delete=models.CASCADE, related_name="progress"
    )
    period = models.CharField(_("period"), max_length=20)
    score = models.PositiveIntegerField(_("steps done"), default=0)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("challenge progress")
        verbose_name_plural = _("challenge progress")
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "challenge", "period"], name="challenges_progress_once"
            ),
        ]
        indexes = [
            # In board order, ties by profile: the top of a board is its first rows.
            models.Index(
                "challenge",
                "period",
                models.F("score").desc(),
                "profile",
                name="challenges_board_order_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.challenge_id}/{self.profile_id}/{self.period}"


class StepProgress(models.Model):
    progress = models.ForeignKey(
        ChallengeProgress,
        verbose_name=_("progress"),
        on_delete=models.CASCADE,
        related_name="steps",
    )
    step = models.ForeignKey(ChallengeStep, verbose_name=_("step"), on_delete=models.CASCADE)
    count = models.PositiveIntegerField(_("count"), default=0)
    # Streaks: the last day or week (as an ordinal number) that counted, and the best run.
    last_period = models.IntegerField(_("last period counted"), null=True, blank=True)
    best = models.PositiveIntegerField(_("best streak"), default=0)

    class Meta:
        verbose_name = _("step progress")
        verbose_name_plural = _("step progress")
        constraints = [
            models.UniqueConstraint(fields=["progress", "step"], name="challenges_step_once"),
        ]

    def __str__(self) -> str:
        return f"{self.step_id}: {self.count}"


class CountedEvent(models.Model):
    """An event a step has counted: the same event never counts twice."""

    step_progress = models.ForeignKey(
        StepProgress, verbose_name=_("step progress"), on_delete=models.CASCADE
    )
    event_id = models.BigIntegerField(_("event"))

    class Meta:
        verbose_name = _("counted event")
        verbose_name_plural = _("counted events")
        constraints = [
            models.UniqueConstraint(
                fields=["step_progress", "event_id"], name="challenges_event_counted_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step_progress_id}: {self.event_id}"


class LeaderboardName(models.Model):
    """The pseudonym a customer shows on leaderboards; never their e-mail or real name."""

    profile = models.OneToOneField(
        Profile,
        verbose_name=_("profile"),
        on_delete=models.CASCADE,
        related_name="leaderboard_name",
    )
    display_name = models.CharField(_("display name"), max_length=24)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("leaderboard name")
        verbose_name_plural = _("leaderboard names")
        constraints = [
            models.UniqueConstraint(Lower("display_name"), name="challenges_display_name_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name
