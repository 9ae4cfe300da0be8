"""What a finished play shows: what the answers told us and what we kept, poll shares,
self-assessment scores, and the campaign to play next."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch

from apps.campaigns.events import QuizCompleted
from apps.campaigns.models import Answer, Campaign, Option, Participation, Question
from apps.campaigns.selectors.catalog import campaign_list_live
from apps.campaigns.selectors.player import player_questions
from apps.core.exceptions import ApplicationError
from apps.loyalty.models import PointsWithheld
from apps.loyalty.selectors import points_earned_for, points_offered_for
from apps.preferences.models import Attribute
from apps.preferences.selectors import declaration_list_told
from apps.preferences.values import JsonValue, attribute_clean_value, attribute_display_value
from apps.profiles.models import Profile


@dataclass(frozen=True)
class Learned:
    attribute: Attribute
    value: JsonValue  # as it would be stored
    shown: str  # as the customer reads it


def learned_from(*, participation: Participation) -> list[Learned]:
    """What the answers tell us about the customer, one entry per attribute in the order of
    the questions: chosen options through their attribute values, scale, mood, number and text
    answers through their question's attribute. Only what the attribute accepts is listed, so
    what is offered for keeping is exactly what "Done" keeps. Three queries."""
    options = (
        Option.objects.filter(answer__participation=participation, attribute__isnull=False)
        .select_related("question", "attribute__purpose__current_version")
        .prefetch_related("attribute__values")
        .order_by("question__position", "position")
    )
    answers = participation.answers.filter(question__attribute__isnull=False).select_related(
        "question__attribute__purpose__current_version"
    )
    told: dict[int, tuple[int, Attribute, object]] = {}
    chosen: dict[int, list[str]] = defaultdict(list)
    for option in options:
        chosen[option.attribute_id].append(option.attribute_value)
        told.setdefault(option.attribute_id, (option.question.position, option.attribute, None))
    for attribute_id, values in chosen.items():
        position, attribute, _raw = told[attribute_id]
        many = attribute.kind == Attribute.Kind.MULTIPLE_CHOICE
        told[attribute_id] = (position, attribute, values if many else values[0])
    for answer in answers:
        raw = answer.text if answer.question.kind == Question.Kind.TEXT else answer.number
        told[answer.question.attribute_id] = (
            answer.question.position,
            answer.question.attribute,
            raw,
        )
    learned = []
    for _position, attribute, raw in sorted(told.values(), key=lambda entry: entry[0]):
        if not attribute.is_active:
            continue
        allowed = list(attribute.values.all()) if attribute.has_choices else []
        try:
            value = attribute_clean_value(attribute=attribute, raw=raw, allowed=allowed)
        except ApplicationError:
            continue
        shown = attribute_display_value(attribute=attribute, value=value, allowed=allowed)
        learned.append(Learned(attribute, value, shown))
    return learned


def learned_purpose_keys(*, participation: Participation, learned: list[Learned]) -> set[str]:
    """The purposes to ask for at the end: those staff chose for the campaign, and those of
    everything the answers told us that the customer has not asked us to drop."""
    withheld = set(participation.withheld_attributes)
    return {
        *participation.campaign.purposes.values_list("key", flat=True),
        *(item.attribute.purpose.key for item in learned if item.attribute.pk not in withheld),
    }


@dataclass(frozen=True)
class PollRow:
    option: Option
    count: int
    percent: int
    is_own: bool


@dataclass(frozen=True)
class PollResult:
    """One question's votes. Below the minimum only the player's own choice is shown."""

    question: Question
    rows: list[PollRow]
    own: list[Option]

    @property
    def shown(self) -> bool:
        return bool(self.rows)

    @property
    def total(self) -> int:
        return sum(row.count for row in self.rows)

    @property
    def minimum(self) -> int:
        return POLL_MINIMUM_VOTES


# Below this many votes a share could point at one person's answer.
POLL_MINIMUM_VOTES = 5


def shares_of_hundred(counts: list[int]) -> list[int]:
    """Whole percentages that add up to exactly 100 (largest remainder method): everyone
    gets the floor of their share, and the points left go to the largest remainders, ties to
    the larger count, then to the earlier answer."""
    total = sum(counts)
    if not total:
        return [0] * len(counts)
    shares = [count * 100 // total for count in counts]
    by_remainder = sorted(
        range(len(counts)), key=lambda i: (-(counts[i] * 100 % total), -counts[i], i)
    )
    for index in by_remainder[: 100 - sum(shares)]:
        shares[index] += 1
    return shares


def poll_results(
    *, campaign: Campaign, participation: Participation | None = None
) -> list[PollResult]:
    """Shares per answer, per question, once enough people voted; never who voted what.
    The player's own choice is marked while their answers are still on their play."""
    questions = campaign.questions.order_by("position").prefetch_related(
        Prefetch("options", queryset=Option.objects.select_related("tally").order_by("position"))
    )
    own_ids: set[int] = set()
    if participation is not None:
        own_ids = set(
            Answer.options.through.objects.filter(answer__participation=participation).values_list(
                "option_id", flat=True
            )
        )
    results = []
    for question in questions:
        options = list(question.options.all())
        if not options:
            continue  # a scale or text question: its answers are no vote to share
        own = [option for option in options if option.pk in own_ids]
        counts = [option.tally.count if hasattr(option, "tally") else 0 for option in options]
        if sum(counts) < POLL_MINIMUM_VOTES:
            results.append(PollResult(question, [], own))
            continue
        rows = [
            PollRow(option, count, percent, option.pk in own_ids)
            for option, count, percent in zip(
                options, counts, shares_of_hundred(counts), strict=True
            )
        ]
        results.append(PollResult(question, rows, own))
    return results


@dataclass(frozen=True)
class DimensionScore:
    name: str
    average: float
    maximum: int

    @property
    def percent(self) -> int:
        return int(self.average * 100 / self.maximum) if self.maximum else 0


def dimension_scores(*, participation: Participation) -> list[DimensionScore]:
    """A self-assessment's result: the average scale answer per named dimension, named in
    German whatever the player's language, as score bands name them."""
    questions = player_questions(campaign=participation.campaign)
    if not any(question.dimension_de for question in questions):
        return []  # not a self-assessment: nothing to ask the database
    sums: dict[str, list[int]] = {}
    maximum: dict[str, int] = {}
    for answer in (
        participation.answers.filter(number__isnull=False, question__dimension_de__gt="")
        .select_related("question")
        .order_by("question__position")
    ):
        dimension = answer.question.dimension_de
        sums.setdefault(dimension, []).append(answer.number)
        maximum[dimension] = max(maximum.get(dimension, 0), answer.question.scale_max)
    return [
        DimensionScore(name, round(sum(values) / len(values), 1), maximum[name])
        for name, values in sums.items()
    ]


@dataclass(frozen=True)
class Kept:
    attribute: Attribute
    shown: str


def participation_kept(*, participation: Participation) -> list[Kept]:
    """What we hold, since this play ended, of what the campaign asks: after "Done", what
    the customer agreed to keep (for their own eyes, so consent withdrawn later still shows)."""
    questions = player_questions(campaign=participation.campaign)
    asked = {question.attribute_id for question in questions if question.attribute_id} | {
        option.attribute_id
        for question in questions
        for option in question.options.all()
        if option.attribute_id
    }
    if not asked or participation.completed_at is None:
        return []
    declarations = (
        declaration_list_told(profile=participation.profile)
        .filter(attribute_id__in=asked, confirmed_at__gte=participation.completed_at)
        .select_related("attribute")
        .prefetch_related("attribute__values")
        .order_by("attribute__position", "attribute__key")
    )
    return [
        Kept(
            declaration.attribute,
            attribute_display_value(
                attribute=declaration.attribute,
                value=declaration.value,
                allowed=list(declaration.attribute.values.all()),
            ),
        )
        for declaration in declarations
    ]


def campaign_next_for(*, profile: Profile | None, after: Campaign) -> Campaign | None:
    """The live campaign to suggest once a play is over: the first the customer has not
    finished (members-only ones for members alone). One query."""
    campaigns = campaign_list_live().exclude(pk=after.pk)
    if profile is None or profile.kind != Profile.Kind.MEMBER:
        campaigns = campaigns.filter(requires_sign_in=False)
    if profile is not None:
        campaigns = campaigns.exclude(
            Exists(
                Participation.objects.filter(
                    campaign_id=OuterRef("pk"), profile=profile, completed_at__isnull=False
                )
            )
        )
    return campaigns.order_by("position", "-created_at").first()


@dataclass(frozen=True)
class PlayPoints:
    earned: int
    # Why none were credited (`PointsWithheld`), and what signing in would collect.
    withheld: str = ""
    on_sign_in: int = 0


def participation_points(*, participation: Participation) -> PlayPoints:
    """What a finished play earned, or why it earned nothing yet: a play of a campaign with
    points for members waits for its player to sign in (and says how many points that
    collects), one past its address's velocity limit earns none."""
    earned = points_earned_for(
        profile=participation.profile, occurrence=f"participation:{participation.pk}"
    )
    withheld = participation.points_withheld
    if withheld != PointsWithheld.UNTIL_SIGN_IN or participation.profile.is_member:
        return PlayPoints(earned=earned, withheld=withheld if not earned else "")
    payload = QuizCompleted.of_finished(participation, points_withheld="").payload()
    offered = points_offered_for(event_name=QuizCompleted.name, payloads={0: payload})[0]
    return PlayPoints(earned=earned, withheld=withheld, on_sign_in=offered)
