"""A campaign, its personality outcomes and how often its first page was opened."""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.consent.models import Purpose
from apps.core.models import TimeStampedModel, within_schedule
from apps.core.validators import validate_site_or_https_link

HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour like #5b2ee5."))


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def live(self) -> "CampaignQuerySet":
        now = timezone.now()
        return self.filter(within_schedule(now), status=Campaign.Status.LIVE)


class Campaign(TimeStampedModel):
    class Kind(models.TextChoices):
        TRIVIA = "trivia", _("Trivia quiz")
        PERSONALITY = "personality", _("Personality quiz")
        POLL = "poll", _("Poll")
        SURVEY = "survey", _("Survey")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        LIVE = "live", _("Live")
        ENDED = "ended", _("Ended")

    slug = models.SlugField(_("address"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    # When customers could first play it: the home page marks campaigns new for a week.
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    purposes = models.ManyToManyField(
        Purpose,
        verbose_name=_("purposes asked for at the end"),
        blank=True,
        related_name="campaigns",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    theme_brand = models.CharField(
        _("theme colour"),
        max_length=7,
        default="#5b2ee5",
        validators=[HEX_COLOUR],
        help_text=_("Buttons, progress and highlights, e.g. #5b2ee5."),
    )
    theme_background = models.CharField(
        _("background colour"), max_length=7, default="#fffdf8", validators=[HEX_COLOUR]
    )
    requires_sign_in = models.BooleanField(
        _("members only"),
        default=False,
        help_text=_("Only customers who signed in may take part."),
    )
    points_members_only = models.BooleanField(
        _("points only for members"),
        default=False,
        help_text=_(
            "Anyone may play, but only signed-in customers collect points. A player who is not "
            "signed in is asked to sign in, and gets the points of a finished play on signing "
            "in."
        ),
    )
    repeat_after_days = models.PositiveSmallIntegerField(
        _("play again after (days)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(3650)],
        help_text=_(
            "Leave empty to let each person take part once. Otherwise, how many days after "
            "finishing they may play again; 0 means right away."
        ),
    )
    hero_image = models.ImageField(
        _("hero image"), upload_to="campaigns/", blank=True, editable=False
    )
    seconds_per_question = models.PositiveSmallIntegerField(
        _("seconds per question"),
        null=True,
        blank=True,
        validators=[MinValueValidator(5), MaxValueValidator(600)],
        help_text=_("Leave empty for no countdown. An answer given later scores nothing."),
    )
    auto_advance = models.BooleanField(
        _("move on after choosing"),
        default=False,
        help_text=_(
            "Questions with one answer to choose move on by themselves a moment after the "
            "choice, without pressing Next."
        ),
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["position", "-created_at"]

    def __str__(self) -> str:
        # Staff and customers know a campaign by its title; the slug is its address.
        return self.title or self.slug

    def get_absolute_url(self) -> str:
        return reverse("campaigns:intro", args=[self.slug])

    @property
    def is_running(self) -> bool:
        """Live and within its schedule: the same test as `Campaign.objects.live()`."""
        now = timezone.now()
        return (
            self.status == self.Status.LIVE
            and (self.starts_at is None or self.starts_at <= now)
            and (self.ends_at is None or self.ends_at > now)
        )

    @property
    def status_now(self) -> "Campaign.Status":
        """The status as customers meet it now: a live campaign before its start is still
        scheduled, one past its end has ended (until the schedule task says so too)."""
        now = timezone.now()
        if self.status == self.Status.LIVE and self.starts_at and self.starts_at > now:
            return self.Status.SCHEDULED
        if self.status in (self.Status.LIVE, self.Status.SCHEDULED) and (
            self.ends_at and self.ends_at <= now
        ):
            return self.Status.ENDED
        return self.Status(self.status)


class Outcome(models.Model):
    """A personality result; options add points to outcomes, the highest score wins."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="outcomes"
    )
    key = models.SlugField(_("key"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    image = models.ImageField(_("image"), upload_to="outcomes/", blank=True, editable=False)
    next_step_label = models.CharField(_("next step"), max_length=100, blank=True)
    next_step_url = models.CharField(
        _("next step link"),
        max_length=300,
        blank=True,
        validators=[validate_site_or_https_link],
        help_text=_("Where the recommended next step leads, e.g. /c/snack-quiz/ or a shop page."),
    )

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="campaigns_outcome_key"),
        ]

    def __str__(self) -> str:
        return self.title or self.key


class CampaignViews(models.Model):
    """How often a campaign's first page was opened per day: counted in the cache as it
    happens and added here every minute, so a popular campaign never queues on one row."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="views"
    )
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        verbose_name = _("campaign views")
        verbose_name_plural = _("campaign views")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "day"], name="campaigns_views_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.day}: {self.count}"
