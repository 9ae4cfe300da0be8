"""One customer's plays of a campaign and the answers they gave."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.campaigns.models.campaign import Campaign, Outcome
from apps.campaigns.models.questions import Option, Question
from apps.loyalty.models import PointsWithheld
from apps.profiles.models import Profile


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
    # Why finishing credited no points, if it did not: the result page says so, and a play
    # held back until sign-in is credited when the player signs in. A database default too:
    # the demo's generator writes plays in bulk, naming only the columns it fills.
    points_withheld = models.CharField(
        _("points withheld"),
        max_length=10,
        choices=PointsWithheld,
        blank=True,
        default="",
        db_default="",
    )
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
