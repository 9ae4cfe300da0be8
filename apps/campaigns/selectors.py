import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from apps.campaigns.events import QuizCompleted
from apps.campaigns.models import (
    Answer,
    Campaign,
    Option,
    Outcome,
    Participation,
    Question,
    answer_is_correct,
)
from apps.core.exceptions import ApplicationError
from apps.core.process_cache import ProcessCache
from apps.loyalty.selectors import points_offered_for
from apps.preferences.models import Attribute
from apps.preferences.selectors import declaration_list_told
from apps.preferences.values import JsonValue, attribute_clean_value, attribute_display_value
from apps.profiles.models import Profile

# Renewed by every change to a campaign, its questions, answers or outcomes: what other
# apps keep of campaigns follows it.
CAMPAIGNS_VERSION = "campaigns"
# Each entry names the campaign as last changed, so a change is seen at once without asking
# the shared cache on every step of every player: its version is checked once a second.
PLAYER_QUESTIONS = ProcessCache("campaigns.player-questions", max_age=300, check_every=1)


def campaign_list_live() -> QuerySet[Campaign]:
    return Campaign.objects.live()


def campaign_get_live(*, slug: str) -> Campaign | None:
    return campaign_list_live().filter(slug=slug).first()


def participation_for(*, campaign: Campaign, profile: Profile | None) -> Participation | None:
    if not profile:
        return None
    participation = (
        Participation.objects.select_related("outcome", "profile")
        .filter(campaign=campaign, profile=profile)
        .order_by("-round")
        .first()
    )
    if participation is not None:
        participation.campaign = campaign  # the caller's, with what it already read
    return participation


def participation_next_round_at(*, participation: Participation) -> datetime | None:
    """When this player may start the campaign again, or None if never (once-only campaigns,
    or a play not finished yet)."""
    days = participation.campaign.repeat_after_days
    if days is None or participation.completed_at is None:
        return None
    # Counted in the player's calendar: a daily question played at 20:00 is open again at
    # midnight, not at 20:00 the next day.
    zone = participation.profile.zone
    completed_on = timezone.localtime(participation.completed_at, zone).date()
    return datetime.combine(completed_on + timedelta(days=days), time.min, tzinfo=zone)


# What the home page tells about a campaign before anyone opens it.
SECONDS_PER_QUESTION = 20
NEW_FOR = timedelta(days=7)
ENDS_SOON_WITHIN = timedelta(days=3)
# The same for everybody, so each process keeps it; a change to a campaign is seen at once,
# a change to the earning rules and the passing of time within a minute.
HOME_CARDS = ProcessCache("campaigns.home-cards", follows=(CAMPAIGNS_VERSION,), max_age=60)


@dataclass(frozen=True)
class CampaignCard:
    campaign: Campaign
    minutes: int
    points: int
    is_new: bool
    ends_soon: bool


@dataclass(frozen=True)
class CampaignPlayed:
    """Where one customer stands with a campaign: finished (and when it opens again) or
    begun."""

    completed: bool
    again_on: date | None = None
    may_play_again: bool = False


@dataclass(frozen=True)
class HomeCard:
    card: CampaignCard
    played: CampaignPlayed | None


def _cards_live() -> list[CampaignCard]:
    now = timezone.now()
    campaigns = list(campaign_list_live().annotate(question_count=Count("questions")))
    if not campaigns:
        return []
    points = points_offered_for(
        event_name=QuizCompleted.name,
        payloads={c.pk: {"campaign": c.slug, "kind": c.kind} for c in campaigns},
    )
    cards = []
    for campaign in campaigns:
        seconds = min(campaign.seconds_per_question or SECONDS_PER_QUESTION, SECONDS_PER_QUESTION)
        cards.append(
            CampaignCard(
                campaign=campaign,
                minutes=max(1, math.ceil(campaign.question_count * seconds / 60)),
                points=points[campaign.pk],
                is_new=campaign.published_at is not None and campaign.published_at > now - NEW_FOR,
                ends_soon=campaign.ends_at is not None
                and campaign.ends_at <= now + ENDS_SOON_WITHIN,
            )
        )
    return cards


def campaign_cards_live() -> list[CampaignCard]:
    """The live campaigns as the home page shows them to everybody: how long each takes, the
    points for finishing it, new or ending soon. Two queries, kept by each process."""
    return HOME_CARDS.get(_cards_live)


def campaign_played(
    *, profile: Profile | None, campaigns: list[Campaign]
) -> dict[int, CampaignPlayed]:
    """Per campaign id, how far this customer got in its latest round: one query, none for a
    first visit."""
    if not profile or not campaigns:
        return {}
    by_id = {campaign.pk: campaign for campaign in campaigns}
    latest: dict[int, Participation] = {}
    for participation in Participation.objects.filter(
        profile=profile, campaign_id__in=by_id
    ).order_by("campaign_id", "-round"):
        latest.setdefault(participation.campaign_id, participation)
    now = timezone.now()
    played = {}
    for campaign_id, participation in latest.items():
        participation.campaign, participation.profile = by_id[campaign_id], profile
        again_at = participation_next_round_at(participation=participation)
        played[campaign_id] = CampaignPlayed(
            completed=participation.is_completed,
            again_on=again_at and timezone.localtime(again_at, profile.zone).date(),
            may_play_again=again_at is not None and again_at <= now,
        )
    return played


def home_cards_for(*, profile: Profile | None) -> list[HomeCard]:
    """The home page's live campaigns, with where this customer stands in each."""
    cards = campaign_cards_live()
    played = campaign_played(profile=profile, campaigns=[card.campaign for card in cards])
    return [HomeCard(card, played.get(card.campaign.pk)) for card in cards]


@dataclass(frozen=True)
class Step:
    question: Question
    number: int
    total: int
    chosen: set[int]
    text: str = ""
    # The player's way through the campaign as their answers chose it: the question before
    # this one (for "Back"), the next one still to answer, and whether this one is on it.
    previous: int | None = None
    upcoming: int | None = None
    reachable: bool = True
    answered: bool = False
    late: bool = False

    @property
    def given_number(self) -> int | None:
        return next(iter(self.chosen), None) if self.question.kind == "number" else None

    @property
    def percent(self) -> int:
        return (self.number - 1) * 100 // self.total

    @property
    def is_last(self) -> bool:
        return self.number == self.total


def player_questions(*, campaign: Campaign) -> list[Question]:
    """The campaign's questions in order, with their answers. Every step of every player
    needs them, so each process keeps them for the campaign as it was last changed: every
    change to a question, answer or outcome touches the campaign (`campaign_touch`)."""
    if not hasattr(campaign, "_player_questions"):
        questions = PLAYER_QUESTIONS.get(
            lambda: list(
                campaign.questions.order_by("position").prefetch_related(
                    Prefetch("options", queryset=Option.objects.order_by("position", "pk"))
                )
            ),
            part=f"{campaign.pk}:{campaign.updated_at.isoformat() if campaign.updated_at else ''}",
        )
        for question in questions:
            question.campaign = campaign
        campaign._player_questions = questions
    return campaign._player_questions


def question_at(*, campaign: Campaign, number: int) -> Question | None:
    """The number-th question (1-based), or None."""
    questions = player_questions(campaign=campaign)
    return questions[number - 1] if 1 <= number <= len(questions) else None


def question_step(*, participation: Participation, number: int) -> Step | None:
    """The number-th question (1-based) with its options, what was chosen before and where it
    lies on the player's way; one query for all of it."""
    question = question_at(campaign=participation.campaign, number=number)
    if question is None:
        return None
    chosen_by_question: dict[int, list[int]] = defaultdict(list)
    given: tuple[int | None, str, bool] | None = None
    for question_id, value, text, late, option_id in Answer.objects.filter(
        participation=participation
    ).values_list("question_id", "number", "text", "late", "options"):
        chosen_by_question[question_id].append(option_id)
        if question_id == question.pk:
            given = (value, text, late)
    chosen = {o for o in chosen_by_question.get(question.pk, ()) if o is not None}
    if given and given[0] is not None:
        chosen = {given[0]}
    questions = player_questions(campaign=participation.campaign)
    way, upcoming = _player_way(questions, chosen_by_question)
    if number in way:
        previous = way[way.index(number) - 1] if way.index(number) else None
    else:
        previous = way[-1] if way else None
    return Step(
        question,
        number,
        len(questions),
        chosen,
        given[1] if given else "",
        previous=previous,
        upcoming=upcoming,
        reachable=number in way or number == upcoming,
        answered=given is not None,
        late=bool(given and given[2]),
    )


def _player_way(
    questions: list[Question], chosen: dict[int, list[int]]
) -> tuple[list[int], int | None]:
    """The numbers of the answered questions on the player's way, following the branches
    their answers chose, and the number of the next one to answer (None when none is left)."""
    index_of = {question.pk: index for index, question in enumerate(questions)}
    skip_to = {
        option.pk: option.skip_to_id
        for question in questions
        for option in question.options.all()
        if option.skip_to_id
    }
    way: list[int] = []
    index = 0
    while index < len(questions):
        question = questions[index]
        if question.pk not in chosen:
            return way, index + 1
        way.append(index + 1)
        branch = next((skip_to[o] for o in chosen[question.pk] if o in skip_to), None)
        # Only forward branches count, so the way always ends.
        index = max(index + 1, index_of.get(branch, 0))
    return way, None


def player_next(*, participation: Participation) -> tuple[int, Question] | None:
    """The next question on this player's way and its number, following the branches their
    answers chose; None when every question on the way is answered."""
    questions = player_questions(campaign=participation.campaign)
    chosen: dict[int, list[int]] = defaultdict(list)
    for question_id, option_id in Answer.objects.filter(participation=participation).values_list(
        "question_id", "options"
    ):
        chosen[question_id].append(option_id)
    _way, upcoming = _player_way(questions, chosen)
    return (upcoming, questions[upcoming - 1]) if upcoming else None


def next_unanswered_number(*, participation: Participation) -> int | None:
    upcoming = player_next(participation=participation)
    return upcoming[0] if upcoming else None


def participation_resume_at(*, participation: Participation | None) -> tuple[int, int] | None:
    """Where an unfinished play goes on: the next question's number and how many there are;
    None for no play, a finished one, or one with nothing left to answer."""
    if participation is None or participation.is_completed:
        return None
    number = next_unanswered_number(participation=participation)
    if number is None:
        return None
    return number, len(player_questions(campaign=participation.campaign))


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


def answer_is_fixed(*, question: Question) -> bool:
    """A trivia question with a right answer shows it once answered, so that answer stands."""
    return question.campaign.kind == Campaign.Kind.TRIVIA and bool(question.right_options)


def scored_question_count(*, campaign: Campaign) -> int:
    """How many questions have a right answer: the most a trivia player can score."""
    return sum(1 for question in player_questions(campaign=campaign) if question.right_options)


@dataclass(frozen=True)
class AnswerFeedback:
    """What a trivia player learns right after answering, on the same screen."""

    right: bool
    time_up: bool
    chosen: list[Option]
    right_options: list[Option]
    explanation: str


def answer_feedback(*, step: Step) -> AnswerFeedback | None:
    """Right or wrong, the right answer and the staff's explanation, once the step's question
    is answered; None before that and for questions that ask for an opinion."""
    question = step.question
    if not step.answered or not answer_is_fixed(question=question):
        return None
    right_options = question.right_options
    right = answer_is_correct(
        kind=question.kind,
        picked=step.chosen,
        correct={option.pk for option in right_options},
    )
    return AnswerFeedback(
        right=right and not step.late,
        time_up=step.late,
        chosen=[option for option in question.options.all() if option.pk in step.chosen],
        right_options=right_options,
        explanation=question.explanation,
    )


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


def campaign_questions_with_options(*, campaign: Campaign) -> list[Question]:
    return list(
        campaign.questions.order_by("position")
        .select_related("attribute")
        .prefetch_related(
            Prefetch(
                "options",
                queryset=Option.objects.select_related("outcome", "attribute").order_by(
                    "position", "pk"
                ),
            )
        )
    )


def campaign_attributes_live() -> dict[Campaign, set[int]]:
    """Each live campaign with the attributes its answers can tell us: two queries."""
    campaigns = {campaign.pk: campaign for campaign in campaign_list_live()}
    told: dict[int, set[int]] = {pk: set() for pk in campaigns}
    for campaign_id, attribute_id in (
        Option.objects.filter(question__campaign_id__in=campaigns, attribute__isnull=False)
        .order_by()
        .values_list("question__campaign_id", "attribute_id")
        .union(
            Question.objects.filter(campaign_id__in=campaigns, attribute__isnull=False)
            .order_by()
            .values_list("campaign_id", "attribute_id")
        )
    ):
        told[campaign_id].add(attribute_id)
    return {campaigns[pk]: attributes for pk, attributes in told.items()}


def campaign_get(*, slug: str) -> Campaign | None:
    """A campaign in any state (the live ones: `campaign_get_live`)."""
    return Campaign.objects.filter(slug=slug).first()


def campaign_list_with_outcomes() -> QuerySet[Campaign]:
    return Campaign.objects.prefetch_related(
        Prefetch("outcomes", queryset=Outcome.objects.order_by("key"))
    )


def participation_list_completed(
    *, profile_ids: Iterable[int] | None = None
) -> QuerySet[Participation]:
    """Finished plays, of these profiles if given; callers narrow and aggregate further."""
    plays = Participation.objects.filter(completed_at__isnull=False)
    if profile_ids is not None:
        plays = plays.filter(profile_id__in=list(profile_ids))
    return plays


def profile_played_since(*, moment: datetime) -> Exists:
    """For a query over profiles: started or finished a play since the moment."""
    return Exists(
        Participation.objects.filter(
            Q(started_at__gte=moment) | Q(completed_at__gte=moment), profile_id=OuterRef("pk")
        )
    )


def profile_completed_campaign(*, slug: str) -> Exists:
    """For a query over profiles: finished a play of the campaign."""
    return Exists(
        Participation.objects.filter(
            profile_id=OuterRef("pk"), campaign__slug=slug, completed_at__isnull=False
        )
    )


def profile_reached_outcome(*, campaign_slug: str, outcome_key: str) -> Exists:
    """For a query over profiles: a play of the campaign ended in the outcome."""
    return Exists(
        Participation.objects.filter(
            profile_id=OuterRef("pk"), campaign__slug=campaign_slug, outcome__key=outcome_key
        )
    )


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
