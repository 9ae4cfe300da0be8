"""Self-assessment score bands (staff, in the admin) and the anonymous score tallies each
finished play adds to."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When

from apps.campaigns.assessments import OVERALL, overall_score, score_band_problems
from apps.campaigns.models import ScoreBand, ScoreTally
from apps.campaigns.services.touch import campaign_touch


@transaction.atomic
def score_band_save(*, band: ScoreBand) -> ScoreBand:
    problems = score_band_problems(band=band)
    if problems:
        raise ValidationError(problems)
    band.save()
    campaign_touch(campaign_id=band.campaign_id)
    return band


@transaction.atomic
def score_band_delete(*, band: ScoreBand) -> None:
    campaign_id = band.campaign_id
    band.delete()
    campaign_touch(campaign_id=campaign_id)


def score_tallies_add(*, campaign_id: int, results: list[dict]) -> None:
    """Add one finished play's results to the campaign's tallies, in two statements
    whatever the number of dimensions. Called inside the completion's transaction."""
    if not results:
        return
    tenths = {row["name"]: round(row["average"] * 10) for row in results}
    tenths[OVERALL] = round(overall_score(results=results) * 10)
    ScoreTally.objects.bulk_create(
        [ScoreTally(campaign_id=campaign_id, dimension=name) for name in tenths],
        ignore_conflicts=True,
    )
    ScoreTally.objects.filter(campaign_id=campaign_id, dimension__in=tenths).update(
        plays=F("plays") + 1,
        tenths=F("tenths")
        + Case(
            *[When(dimension=name, then=Value(value)) for name, value in tenths.items()],
            output_field=IntegerField(),
        ),
    )
