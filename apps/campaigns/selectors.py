from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from apps.campaigns.models import (
    Answer,
    Campaign,
    Option,
    Outcome,
    Participation,
    Question,
    answer_is_correct,
)
from apps.core.process_cache import ProcessCache
from apps.preferences.models import Attribute
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


@dataclass(frozen=True)
class Step:
    question: Question
    number: int
    total: int
    chosen: set[int]
    text: str = ""

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
    """The number-th question (1-based) with its options and what was chosen before."""
    question = question_at(campaign=participation.campaign, number=number)
    if question is None:
        return None
    given = list(
        Answer.objects.filter(participation=participation, question=question).values_list(
            "number", "text", "options"
        )
    )
    chosen = {option_id for _number, _text, option_id in given if option_id is not None}
    if given and given[0][0] is not None:
        chosen = {given[0][0]}
    total = len(player_questions(campaign=participation.campaign))
    return Step(question, number, total, chosen, given[0][1] if given else "")


def player_next(*, participation: Participation) -> tuple[int, Question] | None:
    """The next question on this player's way and its number, following the branches their
    answers chose; None when every question on the way is answered."""
    questions = player_questions(campaign=participation.campaign)
    index_of = {question.pk: index for index, question in enumerate(questions)}
    skip_to = {
        option.pk: option.skip_to_id
        for question in questions
        for option in question.options.all()
        if option.skip_to_id
    }
    chosen: dict[int, list[int]] = defaultdict(list)
    for question_id, option_id in Answer.objects.filter(participation=participation).values_list(
        "question_id", "options"
    ):
        chosen[question_id].append(option_id)
    index = 0
    while index < len(questions):
        question = questions[index]
        if question.pk not in chosen:
            return index + 1, question
        branch = next((skip_to[o] for o in chosen[question.pk] if o in skip_to), None)
        # Only forward branches count, so the way always ends.
        index = max(index + 1, index_of.get(branch, 0))
    return None


def next_unanswered_number(*, participation: Participation) -> int | None:
    upcoming = player_next(participation=participation)
    return upcoming[0] if upcoming else None


@dataclass(frozen=True)
class Learned:
    attribute: Attribute
    value: str


def learned_from(*, participation: Participation) -> list[Learned]:
    """What the answers tell us about the customer, in the attribute's own words."""
    options = (
        Option.objects.filter(answer__participation=participation, attribute__isnull=False)
        .select_related("attribute__purpose__current_version")
        .prefetch_related("attribute__values")
        .order_by("question__position", "position")
    )
    learned = []
    for option in options:
        labels = {value.key: value.label for value in option.attribute.values.all()}
        learned.append(Learned(option.attribute, labels.get(option.attribute_value, option.label)))
    return learned


@dataclass(frozen=True)
class PollRow:
    option: Option
    count: int
    percent: int


# Below this many votes a share could point at one person's answer.
POLL_MINIMUM_VOTES = 5


def poll_results(*, campaign: Campaign) -> list[tuple[Question, list[PollRow]]]:
    """Shares per answer, per question, once enough people voted; never who voted what."""
    questions = campaign.questions.order_by("position").prefetch_related(
        Prefetch("options", queryset=Option.objects.select_related("tally").order_by("position"))
    )
    results = []
    for question in questions:
        counts = [
            (option, option.tally.count if hasattr(option, "tally") else 0)
            for option in question.options.all()
        ]
        total = sum(count for _option, count in counts)
        if total < POLL_MINIMUM_VOTES:
            continue
        results.append(
            (question, [PollRow(option, count, count * 100 // total) for option, count in counts])
        )
    return results


def answer_was_correct(*, answer_option_ids: set[int], question: Question) -> bool:
    correct = {option.pk for option in question.options.all() if option.is_correct}
    return answer_is_correct(kind=question.kind, picked=answer_option_ids, correct=correct)


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
