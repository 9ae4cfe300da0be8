"""Daily figures for the staff dashboards. Every row is an aggregate: no profile, no
participation, nothing that points at one person.

Two kinds of tables live here. *Rollups* are recomputed from the other apps' tables by
`rollups_refresh` (a periodic task), day by day. *Tallies* count answers at the moment a play
is completed, because campaigns delete the answers themselves right after the consent step
(they stay only in anonymous counts); a tally is the only record of them afterwards.

Campaign figures are counted on the local day the play *started* (a cohort), so a funnel never
mixes plays from outside the range; points, declarations and consent count on the day they
happened.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.campaigns.models import Campaign, Option, Outcome, Question
from apps.consent.models import Purpose
from apps.preferences.models import Attribute


class Dashboard(models.Model):
    """No table: it carries the permissions for the insights pages and their entry in the
    admin's app list."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_dashboards", _("Can view insights dashboards")),
            ("view_free_text", _("Can see free-text word counts")),
        ]
        verbose_name = _("dashboard")
        verbose_name_plural = _("dashboards")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class RollupRun(models.Model):
    """One refresh of the rollups: the next run recomputes the days touched since this began."""

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    full = models.BooleanField(_("all days"), default=False)
    days = models.PositiveIntegerField(_("days recomputed"), default=0)
    seconds = models.FloatField(_("took (seconds)"), null=True, blank=True)

    class Meta:
        verbose_name = _("rollup run")
        verbose_name_plural = _("rollup runs")
        indexes = [models.Index(fields=["-finished_at"], name="insights_run_finished_idx")]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"


class CampaignDayRollup(models.Model):
    day = models.DateField(_("day"))
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    views = models.PositiveIntegerField(_("views"), default=0)
    starts = models.PositiveIntegerField(_("starts"), default=0)
    completions = models.PositiveIntegerField(_("completions"), default=0)
    # Summed, not averaged, so any range of days adds up to an exact average.
    completion_seconds = models.BigIntegerField(_("seconds to complete, summed"), default=0)
    new_participants = models.PositiveIntegerField(_("first plays"), default=0)
    returning_participants = models.PositiveIntegerField(_("plays by returning players"), default=0)
    points_paid = models.BigIntegerField(_("points paid"), default=0)
    points_people = models.PositiveIntegerField(_("points paid to (accounts per day)"), default=0)

    class Meta:
        verbose_name = _("campaign day")
        verbose_name_plural = _("campaign days")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "day"], name="insights_campaign_day"),
        ]
        indexes = [models.Index(fields=["day"], name="insights_campaign_day_idx")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.day}"


class QuestionDayRollup(models.Model):
    """Plays started that day which got past the question: the funnel's steps."""

    day = models.DateField(_("day"))
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="+"
    )
    passed = models.PositiveIntegerField(_("got past it"), default=0)

    class Meta:
        verbose_name = _("question day")
        verbose_name_plural = _("question days")
        constraints = [
            models.UniqueConstraint(fields=["question", "day"], name="insights_question_day"),
        ]
        indexes = [models.Index(fields=["campaign", "day"], name="insights_question_camp_idx")]

    def __str__(self) -> str:
        return f"{self.question_id} {self.day}"


class OutcomeDayRollup(models.Model):
    day = models.DateField(_("day"))
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    outcome = models.ForeignKey(
        Outcome, verbose_name=_("outcome"), on_delete=models.CASCADE, related_name="+"
    )
    completions = models.PositiveIntegerField(_("completions"), default=0)

    class Meta:
        verbose_name = _("outcome day")
        verbose_name_plural = _("outcome days")
        constraints = [
            models.UniqueConstraint(fields=["outcome", "day"], name="insights_outcome_day"),
        ]
        indexes = [models.Index(fields=["campaign", "day"], name="insights_outcome_camp_idx")]

    def __str__(self) -> str:
        return f"{self.outcome_id} {self.day}"


class DeclarationDayRollup(models.Model):
    """Preferences declared (or changed) from a campaign's answers, per attribute."""

    day = models.DateField(_("day"))
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    attribute = models.ForeignKey(
        Attribute, verbose_name=_("attribute"), on_delete=models.CASCADE, related_name="+"
    )
    declarations = models.PositiveIntegerField(_("declarations"), default=0)

    class Meta:
        verbose_name = _("declaration day")
        verbose_name_plural = _("declaration days")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "attribute", "day"], name="insights_declaration_day"
            ),
        ]
        indexes = [models.Index(fields=["day"], name="insights_declaration_day_idx")]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.attribute_id} {self.day}"


class ConsentDayRollup(models.Model):
    """Consent decisions per purpose and place. A "no" from someone who had said yes before
    is a withdrawal; a "no" from anyone else is a refusal."""

    day = models.DateField(_("day"))
    purpose = models.ForeignKey(
        Purpose, verbose_name=_("purpose"), on_delete=models.CASCADE, related_name="+"
    )
    collection_point = models.CharField(_("collection point"), max_length=200)
    grants = models.PositiveIntegerField(_("grants"), default=0)
    refusals = models.PositiveIntegerField(_("refusals"), default=0)
    withdrawals = models.PositiveIntegerField(_("withdrawals"), default=0)

    class Meta:
        verbose_name = _("consent day")
        verbose_name_plural = _("consent days")
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "collection_point", "day"], name="insights_consent_day"
            ),
        ]
        indexes = [models.Index(fields=["day"], name="insights_consent_day_idx")]

    def __str__(self) -> str:
        return f"{self.purpose_id} {self.collection_point} {self.day}"


class ProgramDayRollup(models.Model):
    """The whole program per day. Movements are recomputed for any day; the state of the
    whole program (profiles, declarations, outstanding points) can only be counted as it is
    now, so those columns hold what the last run of that day saw and stay empty for days
    before the first run."""

    day = models.DateField(_("day"), unique=True)
    points_earned = models.BigIntegerField(_("points earned"), default=0)
    earners = models.PositiveIntegerField(_("accounts earning"), default=0)
    points_redeemed = models.BigIntegerField(_("points redeemed"), default=0)
    redemptions = models.PositiveIntegerField(_("redemptions"), default=0)
    challenge_completions = models.PositiveIntegerField(_("challenges completed"), default=0)
    tier_ups = models.PositiveIntegerField(_("moves up a tier"), default=0)
    tier_downs = models.PositiveIntegerField(_("moves down a tier"), default=0)
    profiles = models.PositiveIntegerField(_("profiles"), null=True, blank=True)
    profiles_declaring = models.PositiveIntegerField(
        _("profiles with a usable declaration"), null=True, blank=True
    )
    declarations = models.PositiveIntegerField(_("usable declarations"), null=True, blank=True)
    stale_declarations = models.PositiveIntegerField(_("stale declarations"), null=True, blank=True)
    accounts = models.PositiveIntegerField(_("accounts with points"), null=True, blank=True)
    liability = models.BigIntegerField(_("outstanding points"), null=True, blank=True)

    class Meta:
        verbose_name = _("program day")
        verbose_name_plural = _("program days")

    def __str__(self) -> str:
        return str(self.day)


class DistributionDayRollup(models.Model):
    """How many profiles fall in each bucket of a breakdown, as the last run of the day saw it."""

    class Kind(models.TextChoices):
        DEPTH = "depth", _("Declared attributes per profile")
        TIER = "tier", _("Tier")
        CHURN = "churn", _("Churn risk")
        GRANTED = "granted", _("Purpose granted")
        CHALLENGE_JOINED = "challenge_joined", _("Challenge joined")
        CHALLENGE_COMPLETED = "challenge_completed", _("Challenge completed")

    day = models.DateField(_("day"))
    kind = models.CharField(_("breakdown"), max_length=30, choices=Kind)
    key = models.CharField(_("bucket"), max_length=80)
    count = models.PositiveIntegerField(_("profiles"), default=0)

    class Meta:
        verbose_name = _("distribution day")
        verbose_name_plural = _("distribution days")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key", "day"], name="insights_distribution_day"
            ),
        ]
        indexes = [models.Index(fields=["day"], name="insights_distribution_day_idx")]

    def __str__(self) -> str:
        return f"{self.kind}={self.key} {self.day}"


class OptionDayTally(models.Model):
    """Choice answers of completed plays, per option and start day."""

    day = models.DateField(_("day"))
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="+"
    )
    option = models.ForeignKey(
        Option, verbose_name=_("option"), on_delete=models.CASCADE, related_name="+"
    )
    answers = models.PositiveIntegerField(_("answers"), default=0)

    class Meta:
        verbose_name = _("option tally")
        verbose_name_plural = _("option tallies")
        constraints = [
            models.UniqueConstraint(fields=["option", "day"], name="insights_option_day"),
        ]
        indexes = [models.Index(fields=["campaign", "day"], name="insights_option_camp_idx")]

    def __str__(self) -> str:
        return f"{self.option_id} {self.day}: {self.answers}"


class ValueDayTally(models.Model):
    """Scale, mood and number answers of completed plays, per value and start day."""

    day = models.DateField(_("day"))
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="+"
    )
    value = models.SmallIntegerField(_("value"))
    answers = models.PositiveIntegerField(_("answers"), default=0)

    class Meta:
        verbose_name = _("value tally")
        verbose_name_plural = _("value tallies")
        constraints = [
            models.UniqueConstraint(fields=["question", "value", "day"], name="insights_value_day"),
        ]
        indexes = [
            models.Index(fields=["campaign", "day"], name="insights_value_camp_idx"),
            models.Index(fields=["day"], name="insights_value_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}={self.value} {self.day}: {self.answers}"


class WordDayTally(models.Model):
    """Free-text answers of completed plays, only as how many answers used each word."""

    day = models.DateField(_("day"))
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="+"
    )
    word = models.CharField(_("word"), max_length=40)
    answers = models.PositiveIntegerField(_("answers using it"), default=0)

    class Meta:
        verbose_name = _("word tally")
        verbose_name_plural = _("word tallies")
        constraints = [
            models.UniqueConstraint(fields=["question", "word", "day"], name="insights_word_day"),
        ]
        indexes = [models.Index(fields=["campaign", "day"], name="insights_word_camp_idx")]

    def __str__(self) -> str:
        return f"{self.question_id}:{self.word} {self.day}: {self.answers}"


class TalliedPlay(models.Model):
    """A completed play whose answers are in the tallies, so they are never counted twice
    (at completion, and by the sweep for plays completed elsewhere, e.g. imported)."""

    participation = models.OneToOneField(
        "campaigns.Participation",
        verbose_name=_("participation"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("tallied play")
        verbose_name_plural = _("tallied plays")

    def __str__(self) -> str:
        return str(self.participation_id)
