"""Self-assessments: score bands staff define and the anonymous tallies of results."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.campaigns.models.campaign import Campaign


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
