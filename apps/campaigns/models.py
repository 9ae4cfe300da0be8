from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.consent.models import Purpose
from apps.core.models import TimeStampedModel, within_schedule
from apps.preferences.models import Attribute
from apps.profiles.models import Profile

HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour like #5b2ee5."))


# Mood answers: 1 (very unhappy) to 5 (very happy); the label is read out by screen readers.
MOOD_FACES = [
    "\N{DISAPPOINTED FACE}",
    "\N{SLIGHTLY FROWNING FACE}",
    "\N{NEUTRAL FACE}",
    "\N{SLIGHTLY SMILING FACE}",
    "\N{GRINNING FACE WITH SMILING EYES}",
]


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
        return self.slug

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
        validators=[RegexValidator(r"^(/|https://)", _("Start with / or https://."))],
        help_text=_("Where the recommended next step leads, e.g. /c/snack-quiz/ or a shop page."),
    )

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="campaigns_outcome_key"),
        ]

    def __str__(self) -> str:
        return self.key


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        SCALE = "scale", _("Scale")
        MOOD = "mood", _("Mood (faces from 1 to 5)")
        IMAGE = "image", _("Image choice")
        NUMBER = "number", _("Number")
        TEXT = "text", _("Short text")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("type"), max_length=20, choices=Kind, default=Kind.SINGLE)
    text = models.CharField(_("question"), max_length=300)
    scale_min = models.SmallIntegerField(_("scale or number from"), default=1)
    scale_max = models.SmallIntegerField(_("scale or number to"), default=5)
    max_length = models.PositiveSmallIntegerField(_("longest text"), default=280)
    dimension = models.CharField(
        _("dimension"),
        max_length=60,
        blank=True,
        help_text=_(
            "Self-assessments: scale answers of one dimension are averaged. Its German name is "
            "the one score bands refer to."
        ),
    )
    attribute = models.ForeignKey(
        Attribute,
        verbose_name=_("a scale, number or text answer tells us"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    scale_label_low = models.CharField(
        _("label of the lowest value"),
        max_length=100,
        blank=True,
        help_text=_("Scales: shown under the first value, e.g. “not at all likely”."),
    )
    scale_label_high = models.CharField(
        _("label of the highest value"),
        max_length=100,
        blank=True,
        help_text=_("Scales: shown under the last value, e.g. “extremely likely”."),
    )
    explanation = models.TextField(
        _("explanation"),
        blank=True,
        help_text=_("Trivia: shown with the right answer once the player has answered."),
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["campaign", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "position"], name="campaigns_question_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}#{self.position}"

    @property
    def scale_values(self) -> range:
        if self.kind == self.Kind.MOOD:
            return range(1, len(MOOD_FACES) + 1)
        return range(self.scale_min, self.scale_max + 1)

    @property
    def mood_faces(self) -> list[tuple[int, str]]:
        return list(enumerate(MOOD_FACES, 1))

    @property
    def right_options(self) -> list["Option"]:
        """The right answers, or none when this question asks for an opinion. Reads the
        options the player already loaded."""
        options = list(self.options.all())
        correct = right_answer_ids(
            correct={option.pk for option in options if option.is_correct},
            offered={option.pk for option in options},
        )
        return [option for option in options if option.pk in correct]


def right_answer_ids(*, correct: set[int], offered: set[int]) -> set[int]:
    """The options that make an answer right, when a wrong answer is possible: a question with
    none marked correct, or every one, asks for an opinion and counts towards no score."""
    return correct if correct and correct != offered else set()


def answer_is_correct(*, kind: str, picked: set[int], correct: set[int]) -> bool:
    """A single choice is right when it is a correct option; a multiple choice when it picks
    exactly the correct ones."""
    if not picked or not correct:
        return False
    if kind == Question.Kind.SINGLE:
        return picked <= correct
    return picked == correct


class Option(models.Model):
    """One answer; it may be the correct one, score an outcome, or declare a preference."""

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="options"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("answer"), max_length=200)
    image = models.ImageField(_("image"), upload_to="options/", blank=True, editable=False)
    is_correct = models.BooleanField(_("correct answer"), default=False)
    outcome = models.ForeignKey(
        Outcome, verbose_name=_("counts towards"), on_delete=models.SET_NULL, null=True, blank=True
    )
    attribute = models.ForeignKey(
        Attribute,
        verbose_name=_("tells us"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("The preference this answer declares."),
    )
    attribute_value = models.CharField(
        _("as value"), max_length=60, blank=True, help_text=_("An allowed value of that attribute.")
    )
    skip_to = models.ForeignKey(
        Question,
        verbose_name=_("then go to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Branching: a later question of the same campaign."),
    )

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["question", "position", "pk"]

    def __str__(self) -> str:
        return self.label_de


class Participation(models.Model):
    """One customer playing one campaign. Once per profile: a unique constraint says so."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="participations",
    )
    profile = models.ForeignKey(
        Profile, verbose_name=_("profile"), on_delete=models.CASCADE, related_name="participations"
    )
    # Campaigns someone may play again count their plays; a once-only campaign has round 1.
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    score = models.PositiveIntegerField(_("score"), default=0)
    outcome = models.ForeignKey(
        Outcome, verbose_name=_("outcome"), on_delete=models.SET_NULL, null=True, blank=True
    )
    answers_kept_at = models.DateTimeField(_("answers kept as preferences"), null=True, blank=True)
    dimension_results = models.JSONField(_("result per dimension"), default=list, blank=True)
    # For campaigns with a countdown: which question the player was last shown, and when, so
    # reloading the page does not restart the clock.
    question_shown = models.ForeignKey(
        Question,
        verbose_name=_("question shown"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    question_shown_at = models.DateTimeField(_("question shown at"), null=True, blank=True)
    withheld_attributes = models.JSONField(
        _("answers the customer asked us not to keep"), default=list, blank=True
    )

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "profile", "round"], name="campaigns_one_play_per_round"
            ),
        ]
        # Insights count plays by the day they started or ended, per campaign and overall.
        indexes = [
            models.Index(fields=["campaign", "started_at"], name="campaigns_play_started_idx"),
            models.Index(fields=["started_at"], name="campaigns_play_start_day_idx"),
            models.Index(fields=["completed_at"], name="campaigns_play_completed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.profile_id}"

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None


class Answer(models.Model):
    participation = models.ForeignKey(
        Participation,
        verbose_name=_("participation"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.PROTECT)
    options = models.ManyToManyField(Option, verbose_name=_("chosen answers"))
    number = models.SmallIntegerField(_("number on the scale"), null=True, blank=True)
    text = models.CharField(_("text"), max_length=1000, blank=True)
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)
    late = models.BooleanField(
        _("after the countdown"), default=False, help_text=_("Kept, but scores nothing.")
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "question"], name="campaigns_one_answer_per_question"
            ),
        ]
        indexes = [models.Index(fields=["answered_at"], name="campaigns_answer_time_idx")]

    def __str__(self) -> str:
        return f"{self.participation_id}: {self.question_id}"


class OptionTally(models.Model):
    """How often an option was chosen: anonymous campaign statistics, no profile attached."""

    option = models.OneToOneField(
        Option, verbose_name=_("option"), on_delete=models.CASCADE, related_name="tally"
    )
    count = models.PositiveIntegerField(_("chosen"), default=0)

    class Meta:
        verbose_name = _("answer count")
        verbose_name_plural = _("answer counts")

    def __str__(self) -> str:
        return f"{self.option_id}: {self.count}"


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


class ScoreBand(models.Model):
    """A level of a self-assessment's result, per dimension or overall: it holds from its
    lower bound up to the next band's, so the bands of one dimension never overlap or leave
    a gap."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="score_bands"
    )
    dimension = models.CharField(
        _("dimension"),
        max_length=60,
        blank=True,
        help_text=_("As named on the questions (in German). Empty: the overall level."),
    )
    lower_bound = models.DecimalField(
        _("from score"),
        max_digits=4,
        decimal_places=1,
        help_text=_("The band holds from this score up to where the next band starts."),
    )
    title = models.CharField(_("title"), max_length=100, help_text=_("e.g. Fortgeschritten"))
    text = models.TextField(_("what it means"), blank=True)
    next_step = models.TextField(_("recommended next step"), blank=True)

    class Meta:
        verbose_name = _("score band")
        verbose_name_plural = _("score bands")
        ordering = ["campaign", "dimension", "lower_bound"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "dimension", "lower_bound"], name="campaigns_band_starts_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension or '*'} ≥ {self.lower_bound}"


class ScoreTally(models.Model):
    """Anonymous sums of a self-assessment's results per dimension ("" for the overall
    score), added at each completion: comparing with everyone reads these rows, never the
    plays."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="score_tallies"
    )
    dimension = models.CharField(_("dimension"), max_length=60, blank=True)
    plays = models.PositiveIntegerField(_("finished plays"), default=0)
    # Results are rounded to tenths, so their sum is kept exactly as a whole number of tenths.
    tenths = models.PositiveBigIntegerField(_("sum of results in tenths"), default=0)

    class Meta:
        verbose_name = _("score tally")
        verbose_name_plural = _("score tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "dimension"], name="campaigns_tally_per_dimension"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.dimension or '*'}: {self.plays}"

    @property
    def average(self) -> float | None:
        return round(self.tenths / self.plays / 10, 1) if self.plays else None
