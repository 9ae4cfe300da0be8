"""Questions, their answers to choose, what makes an answer right, and how often each was
chosen."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.campaigns.models.campaign import Campaign, Outcome
from apps.preferences.models import Attribute

# Mood answers: 1 (very unhappy) to 5 (very happy); the label is read out by screen readers.
MOOD_FACES = [
    "\N{DISAPPOINTED FACE}",
    "\N{SLIGHTLY FROWNING FACE}",
    "\N{NEUTRAL FACE}",
    "\N{SLIGHTLY SMILING FACE}",
    "\N{GRINNING FACE WITH SMILING EYES}",
]


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
        return f"{self.position}. {self.text}"

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
