"""Reads for self-assessment results: each dimension's score with its band, the overall
level, and how the player compares with everyone who took part; and what keeps a score band
from being saved."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from apps.campaigns.models import Campaign, Participation, ScoreBand, ScoreTally
from apps.campaigns.selectors import player_questions

# Below this many finished plays an average could point at one person's answers.
COMPARISON_MINIMUM_PLAYS = 5
OVERALL = ""


@dataclass(frozen=True)
class DimensionResult:
    key: str
    name: str
    score: float
    maximum: int
    band: ScoreBand | None
    # Everyone's average, or None while fewer than COMPARISON_MINIMUM_PLAYS took part.
    everyone: float | None

    @property
    def percent(self) -> int:
        """How far along its scale the score lies, for the bar (0 to 100)."""
        if not self.maximum:
            return 0
        return max(0, min(100, round(self.score * 100 / self.maximum)))


@dataclass(frozen=True)
class AssessmentResult:
    dimensions: list[DimensionResult]
    overall: DimensionResult
    plays: int

    @property
    def is_compared(self) -> bool:
        return self.overall.everyone is not None

    @property
    def position(self) -> str:
        """ "above", "below" or "level" with everyone's overall average."""
        if self.overall.everyone is None or self.overall.score == self.overall.everyone:
            return "level"
        return "above" if self.overall.score > self.overall.everyone else "below"


def overall_score(*, results: list[dict]) -> float:
    """The overall result: the mean of the dimensions' averages, each dimension weighing
    the same however many questions it has."""
    mean = Decimal(str(sum(row["average"] for row in results))) / len(results)
    # Rounded as people do (3,25 is 3,3), not to the even tenth.
    return float(mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def band_for(*, bands: list[ScoreBand], score: float) -> ScoreBand | None:
    """The band holding the score: the one starting highest at or below it."""
    reached = [band for band in bands if band.lower_bound <= Decimal(str(score))]
    return max(reached, key=lambda band: band.lower_bound, default=None)


def assessment_result(*, participation: Participation) -> AssessmentResult | None:
    """A finished self-assessment's result in the reader's language: two queries (the bands
    and the tallies) however many people took part; None for other campaigns."""
    results = participation.dimension_results
    if not results:
        return None
    campaign = participation.campaign
    bands: dict[str, list[ScoreBand]] = defaultdict(list)
    for band in ScoreBand.objects.filter(campaign=campaign):
        bands[band.dimension].append(band)
    tallies = {tally.dimension: tally for tally in ScoreTally.objects.filter(campaign=campaign)}
    names = {
        question.dimension_de: question.dimension
        for question in player_questions(campaign=campaign)
        if question.dimension_de
    }
    overall_tally = tallies.get(OVERALL)
    plays = overall_tally.plays if overall_tally else 0
    compared = plays >= COMPARISON_MINIMUM_PLAYS

    def result(key: str, name: str, score: float, maximum: int) -> DimensionResult:
        tally = tallies.get(key)
        everyone = tally.average if compared and tally else None
        return DimensionResult(
            key, name, score, maximum, band_for(bands=bands[key], score=score), everyone
        )

    dimensions = [
        result(row["name"], names.get(row["name"], row["name"]), row["average"], row["maximum"])
        for row in results
    ]
    overall = result(
        OVERALL,
        _("Overall"),
        overall_score(results=results),
        max(row["maximum"] for row in results),
    )
    return AssessmentResult(dimensions, overall, plays)


def campaign_dimensions(*, campaign: Campaign) -> dict[str, tuple[int, int]]:
    """The campaign's dimensions by German name, each with the lowest and highest score its
    questions allow."""
    spans: dict[str, tuple[int, int]] = {}
    for name, low, high in campaign.questions.filter(dimension_de__gt="").values_list(
        "dimension_de", "scale_min", "scale_max"
    ):
        known_low, known_high = spans.get(name, (low, high))
        spans[name] = (min(low, known_low), max(high, known_high))
    return spans


def score_band_problems(*, band: ScoreBand) -> dict[str, list[str]]:
    """What keeps a score band from being saved, per field, in words staff can act on."""
    problems: dict[str, list[str]] = defaultdict(list)
    spans = campaign_dimensions(campaign=band.campaign) if band.campaign_id else {}
    if band.dimension and band.dimension not in spans:
        if spans:
            problems["dimension"].append(
                _("“%(name)s” is not a dimension of this campaign. Its dimensions: %(names)s.")
                % {"name": band.dimension, "names": ", ".join(sorted(spans))}
            )
        else:
            problems["dimension"].append(
                _("Save the campaign's questions with their dimensions first.")
            )
    span = spans.get(band.dimension) or (
        (min(low for low, _high in spans.values()), max(high for _low, high in spans.values()))
        if spans
        else None
    )
    if band.lower_bound is not None and span and not span[0] <= band.lower_bound <= span[1]:
        problems["lower_bound"].append(
            _("Scores here lie between %(low)s and %(high)s.") % {"low": span[0], "high": span[1]}
        )
    same_start = ScoreBand.objects.filter(
        campaign_id=band.campaign_id, dimension=band.dimension, lower_bound=band.lower_bound
    ).exclude(pk=band.pk)
    if band.lower_bound is not None and band.campaign_id and same_start.exists():
        problems["lower_bound"].append(
            _(
                "Another band of “%(dimension)s” already starts at %(score)s: each band starts "
                "where the one before it ends."
            )
            % {
                "dimension": band.dimension or _("Overall"),
                "score": number_format(band.lower_bound, 1),
            }
        )
    return dict(problems)


def score_band_gaps(*, campaign: Campaign) -> list[str]:
    """Dimensions whose lowest band starts above their lowest score: such scores would get
    no band. Bands are optional; a dimension without any is not a gap."""
    lowest_start: dict[str, Decimal] = {}
    for band in campaign.score_bands.all():
        start = lowest_start.get(band.dimension)
        lowest_start[band.dimension] = min(start, band.lower_bound) if start else band.lower_bound
    spans = campaign_dimensions(campaign=campaign)
    lowest = {name: low for name, (low, _high) in spans.items()}
    if spans:
        lowest[OVERALL] = min(lowest.values())
    return [
        _("Scores of “%(dimension)s” below %(score)s have no band.")
        % {"dimension": dimension or _("Overall"), "score": number_format(start, 1)}
        for dimension, start in sorted(lowest_start.items())
        if dimension in lowest and start > lowest[dimension]
    ]
