"""The player's reads: the questions, one step, the way through the branches, where a play
goes on, and a trivia answer's feedback."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch

from apps.campaigns.models import (
    Answer,
    Campaign,
    Option,
    Participation,
    Question,
    answer_is_correct,
)
from apps.core.process_cache import ProcessCache

# Each entry names the campaign as last changed, so a change is seen at once without asking
# the shared cache on every step of every player: its version is checked once a second.
PLAYER_QUESTIONS = ProcessCache("campaigns.player-questions", max_age=300, check_every=1)


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


def player_next(
    *, participation: Participation, chosen: dict[int, list[int | None]] | None = None
) -> tuple[int, Question] | None:
    """The next question on this player's way and its number, following the branches their
    answers chose; None when every question on the way is answered. `chosen` (the options
    per answered question, [None] for an answer without any) spares reading the answers
    when the caller has just read them."""
    questions = player_questions(campaign=participation.campaign)
    if chosen is None:
        chosen = defaultdict(list)
        for question_id, option_id in Answer.objects.filter(
            participation=participation
        ).values_list("question_id", "options"):
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
