"""The player: starting a play, answering, finishing, keeping the answers."""

import math
from collections import Counter, defaultdict
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.campaigns.events import ParticipationStarted, QuestionAnswered, QuizCompleted
from apps.campaigns.models import (
    Answer,
    Campaign,
    Participation,
    Question,
    answer_is_correct,
    right_answer_ids,
)
from apps.campaigns.selectors import (
    answer_is_fixed,
    dimension_scores,
    learned_from,
    participation_for,
    participation_next_round_at,
    player_next,
    player_questions,
)
from apps.campaigns.services.assessments import score_tallies_add
from apps.campaigns.services.counters import option_tallies_add
from apps.consent.selectors import consent_granted_profile_ids
from apps.core.events import publish
from apps.core.exceptions import ApplicationError
from apps.loyalty.models import PointsWithheld
from apps.preferences.models import Attribute, Declaration, Source
from apps.preferences.services import preference_declare
from apps.profiles.lock_objects import profile_lock
from apps.profiles.models import Profile
from apps.profiles.services import profile_ensure


def _require_live(campaign: Campaign, profile: Profile | None) -> None:
    # Staff's test customers try drafts and scheduled campaigns before anyone else can.
    if not campaign.is_running and not (profile is not None and profile.is_test):
        raise ApplicationError(_("This campaign is not running."))


@transaction.atomic
def participation_start(
    *, campaign: Campaign, profile: Profile | None, locale: str
) -> Participation:
    """Begin, or pick up where the customer left off. A finished play is the answer until the
    campaign lets this player play again; then a new round begins."""
    _require_live(campaign, profile)
    if campaign.requires_sign_in and (profile is None or profile.kind != Profile.Kind.MEMBER):
        raise ApplicationError(_("Sign in to take part in this campaign."))
    profile = profile_ensure(profile=profile, locale=locale)
    latest = participation_for(campaign=campaign, profile=profile)
    if latest is not None:
        again_at = participation_next_round_at(participation=latest)
        if again_at is None or again_at > timezone.now():
            return latest
    round_ = latest.round + 1 if latest else 1
    try:
        with transaction.atomic():
            participation = Participation.objects.create(
                campaign=campaign, profile=profile, round=round_
            )
    except IntegrityError:
        # A double click or a second tab started this round a moment earlier.
        return Participation.objects.get(campaign=campaign, profile=profile, round=round_)
    publish(ParticipationStarted.of(participation))
    return participation


def _locked(participation: Participation) -> Participation:
    locked = (
        Participation.objects.select_for_update(of=("self",))
        .select_related("profile")
        .filter(pk=participation.pk)
        .first()
    )
    if locked is None:
        # The customer's data was erased while this answer waited for the play.
        raise ApplicationError(_("This play no longer exists."))
    locked.campaign = participation.campaign  # with the questions it has read already
    return locked


# Network and rendering time a player is not blamed for.
COUNTDOWN_GRACE_SECONDS = 3


def participation_show_question(*, participation: Participation, question: Question) -> int | None:
    """Start the question's countdown the first time it is shown; the seconds left, or None
    when the campaign has no countdown."""
    limit = participation.campaign.seconds_per_question
    if not limit or participation.is_completed:
        return None
    now = timezone.now()
    if participation.question_shown_id != question.pk:
        participation.question_shown, participation.question_shown_at = question, now
        Participation.objects.filter(pk=participation.pk).update(
            question_shown=question, question_shown_at=now
        )
    elapsed = (now - participation.question_shown_at).total_seconds()
    return max(0, math.ceil(limit - elapsed))


def _is_late(participation: Participation, question: Question) -> bool:
    """Past the countdown, or answering a question the player was never shown."""
    limit = participation.campaign.seconds_per_question
    if not limit:
        return False
    if participation.question_shown_id != question.pk:
        return True
    deadline = participation.question_shown_at + timedelta(seconds=limit + COUNTDOWN_GRACE_SECONDS)
    return timezone.now() > deadline


@transaction.atomic
def answer_submit(
    *,
    participation: Participation,
    question_id: int,
    option_ids: list[int] | None = None,
    number: int | None = None,
    text: str = "",
    timed_out: bool = False,
) -> Answer:
    """Save an answer as it is given, so a customer who leaves can resume. With a countdown,
    an answer given too late is kept but scores nothing, and a player whose time ran out
    without choosing moves on with an empty answer. A trivia answer that was shown right or
    wrong stands: it is returned unchanged."""
    answer, _chosen = _submit(
        _locked(participation),
        question_id=question_id,
        option_ids=option_ids,
        number=number,
        text=text,
        timed_out=timed_out,
    )
    return answer


# The options chosen per answered question, [None] for an answer without options: what
# `player_next` reads, kept up to date by the step that writes it.
Chosen = dict[int, list[int | None]]


def _answers_read(participation: Participation, question: Question) -> tuple[Answer | None, Chosen]:
    """The play's answers in one query: what each chose, and the answer to `question` if one
    was given (read whole only then, as re-answering is rare)."""
    chosen: Chosen = defaultdict(list)
    given_pk = None
    for pk, question_id, option_id in Answer.objects.filter(
        participation=participation
    ).values_list("pk", "question_id", "options"):
        chosen[question_id].append(option_id)
        if question_id == question.pk:
            given_pk = pk
    given = Answer.objects.get(pk=given_pk) if given_pk is not None else None
    return given, chosen


def _submit(
    participation: Participation,
    *,
    question_id: int,
    option_ids: list[int] | None,
    number: int | None,
    text: str,
    timed_out: bool,
) -> tuple[Answer, Chosen]:
    """`answer_submit` for a participation locked by the caller's transaction; also what
    every answer of the play chose, this one included."""
    if participation.is_completed:
        raise ApplicationError(_("You have finished this already."))
    _require_live(participation.campaign, participation.profile)
    questions = player_questions(campaign=participation.campaign)
    question = next((q for q in questions if q.pk == question_id), None)
    if question is None:
        raise ApplicationError(_("This question is not part of this campaign."))
    given, chosen = _answers_read(participation, question)
    if given is not None and answer_is_fixed(question=question):
        # The player has seen the right answer: answering again changes nothing.
        return given, chosen
    late = _is_late(participation, question)
    nothing_given = not option_ids and number is None and not (text or "").strip()
    chosen[question.pk] = [None]
    if timed_out and late and nothing_given:
        answer = _store_answer(participation, question, given, late=True)
        answer.options.clear()
        _publish_answered(participation, question)
        return answer, chosen
    if question.kind in (Question.Kind.SCALE, Question.Kind.MOOD, Question.Kind.NUMBER):
        return _answer_scale(participation, question, given, number, late), chosen
    if question.kind == Question.Kind.TEXT:
        return _answer_text(participation, question, given, text, late), chosen
    wanted = set(option_ids or [])
    options = [option for option in question.options.all() if option.pk in wanted]
    if not wanted:
        raise ApplicationError(_("Choose an answer."))
    if len(options) != len(wanted):
        raise ApplicationError(_("Choose from the answers offered."))
    if question.kind == Question.Kind.SINGLE and len(options) > 1:
        raise ApplicationError(_("Choose one answer."))

    answer = _store_answer(participation, question, given, late=late)
    if given is None:
        answer.options.add(*options)  # a new answer has none to compare with
    else:
        answer.options.set(options)
    _publish_answered(participation, question)
    chosen[question.pk] = [option.pk for option in options]
    return answer, chosen


def _answer_scale(
    participation: Participation,
    question: Question,
    given: Answer | None,
    number: int | None,
    late: bool,
) -> Answer:
    if number is None or number not in question.scale_values:
        message = (
            _("Enter a number from %(min)s to %(max)s.")
            if question.kind == Question.Kind.NUMBER
            else _("Choose a value from %(min)s to %(max)s.")
        )
        raise ApplicationError(message % {"min": question.scale_min, "max": question.scale_max})
    answer = _store_answer(participation, question, given, number=number, late=late)
    _publish_answered(participation, question)
    return answer


def _answer_text(
    participation: Participation, question: Question, given: Answer | None, text: str, late: bool
) -> Answer:
    text = (text or "").strip()
    if not text:
        raise ApplicationError(_("Write a few words."))
    if len(text) > question.max_length:
        raise ApplicationError(_("Keep it to %(max)s characters.") % {"max": question.max_length})
    answer = _store_answer(participation, question, given, text=text, late=late)
    _publish_answered(participation, question)
    return answer


def _store_answer(
    participation: Participation, question: Question, answer: Answer | None, **fields
) -> Answer:
    """Write the player's answer to one question over the one given before, if any. The
    participation row is locked, so nothing else writes this answer meanwhile and no
    savepoint must catch a duplicate."""
    fields["answered_at"] = timezone.now()
    if answer is None:
        return Answer.objects.create(participation=participation, question=question, **fields)
    for name, value in fields.items():
        setattr(answer, name, value)
    answer.save(update_fields=list(fields))
    return answer


def _publish_answered(participation: Participation, question: Question) -> None:
    publish(QuestionAnswered.of(participation, question=question.pk))


def _count(option_ids: set[int]) -> None:
    """Add one finished participation to the anonymous answer counts, at completion rather
    than per answer: a popular option's row is locked once per player."""
    option_tallies_add(counts=dict.fromkeys(option_ids, 1))


def _chosen_options(participation: Participation) -> list[tuple[int, int, bool]]:
    """Every option the play chose: (question, option, answered late)."""
    return list(
        Answer.options.through.objects.filter(answer__participation=participation).values_list(
            "answer__question_id", "option_id", "answer__late"
        )
    )


def _score_and_outcome(
    participation: Participation, chosen_options: list[tuple[int, int, bool]]
) -> tuple[int, object]:
    chosen: dict[int, set[int]] = defaultdict(set)
    # Answers given after the countdown count for nothing.
    for question_id, option_id, late in chosen_options:
        if not late:
            chosen[question_id].add(option_id)
    # The questions and their answers as the player was shown them (kept per process).
    questions = player_questions(campaign=participation.campaign)
    kinds = {question.pk: question.kind for question in questions}
    correct: dict[int, set[int]] = defaultdict(set)
    offered: dict[int, set[int]] = defaultdict(set)
    outcome_of: dict[int, int] = {}
    for option in (option for question in questions for option in question.options.all()):
        offered[option.question_id].add(option.pk)
        if option.is_correct:
            correct[option.question_id].add(option.pk)
        if option.outcome_id:
            outcome_of[option.pk] = option.outcome_id
    # Opinion questions have no right answer and count for nothing.
    score = sum(
        answer_is_correct(
            kind=kinds[question_id],
            picked=picked,
            correct=right_answer_ids(correct=correct[question_id], offered=offered[question_id]),
        )
        for question_id, picked in chosen.items()
    )
    votes = Counter(outcome_of[o] for picked in chosen.values() for o in picked if o in outcome_of)
    outcome_id = votes.most_common(1)[0][0] if votes else None
    return score, outcome_id


def _points_withheld(participation: Participation, *, may_earn: bool) -> str:
    if not may_earn:
        return PointsWithheld.LIMIT
    if participation.campaign.points_members_only and not participation.profile.is_member:
        return PointsWithheld.UNTIL_SIGN_IN
    return PointsWithheld.NO


@transaction.atomic
def participation_complete(*, participation: Participation, may_earn: bool = True) -> Participation:
    """Finish once: a double click or a replayed POST returns the first completion. The
    play credits no points when `may_earn` is false (its address reached the velocity limit),
    nor, until they sign in, for an anonymous player of a campaign with points for members."""
    participation = _locked(participation)
    if participation.is_completed:
        return participation
    if player_next(participation=participation) is not None:
        raise ApplicationError(_("Please answer every question first."))
    return _complete(participation, may_earn=may_earn)


def _complete(participation: Participation, *, may_earn: bool) -> Participation:
    """`participation_complete` for a play locked by the caller, with every answer given."""
    chosen_options = _chosen_options(participation)
    participation.score, participation.outcome_id = _score_and_outcome(
        participation, chosen_options
    )
    # A test customer's play shows its result like any other and adds to no tally.
    counted = not participation.profile.is_test
    if counted:
        _count({option_id for _question_id, option_id, _late in chosen_options})
    participation.dimension_results = [
        {"name": score.name, "average": score.average, "maximum": score.maximum}
        for score in dimension_scores(participation=participation)
    ]
    if counted:
        score_tallies_add(
            campaign_id=participation.campaign_id, results=participation.dimension_results
        )
    participation.completed_at = timezone.now()
    participation.points_withheld = _points_withheld(participation, may_earn=may_earn)
    participation.save(
        update_fields=["score", "outcome", "dimension_results", "completed_at", "points_withheld"]
    )
    publish(QuizCompleted.of_finished(participation))
    return participation


def _told_values(participation: Participation) -> dict[Attribute, object]:
    """What the answers say about the customer, per attribute: what the result page offered."""
    return {item.attribute: item.value for item in learned_from(participation=participation)}


@transaction.atomic
def participation_keep_answers(*, participation: Participation) -> list[Declaration]:
    """After the consent prompt: keep what the answers tell us as declarations, for purposes
    the customer granted; the rest leaves the profile and stays only in anonymous counts."""
    # Profile before participation, as a merge locks them, so the two never deadlock.
    profile_lock(profile=Profile(pk=participation.profile_id))
    participation = _locked(participation)
    if not participation.is_completed:
        raise ApplicationError(_("Please answer every question first."))
    if participation.answers_kept_at:
        return []
    kept, dropped = [], set(participation.withheld_attributes)
    for attribute, value in _told_values(participation).items():
        if attribute.pk in dropped:
            continue
        granted = consent_granted_profile_ids(
            purpose_key=attribute.purpose.key,
            profile_ids=[participation.profile_id],
            for_new_collection=True,
        )
        if not granted:
            dropped.add(attribute.pk)
            continue
        try:
            kept.append(
                preference_declare(
                    profile=participation.profile,
                    attribute=attribute,
                    value=value,
                    source=Source.QUIZ,
                    source_ref=f"participation:{participation.pk}",
                    source_label=participation.campaign.title,
                )
            )
        except ApplicationError:
            dropped.add(attribute.pk)
    # What was kept now lives in declarations (with this participation as the source); every
    # answer leaves the profile and stays only in the anonymous counts.
    participation.answers.all().delete()
    participation.answers_kept_at = timezone.now()
    participation.save(update_fields=["answers_kept_at"])
    return kept


@transaction.atomic
def participation_withhold(*, participation: Participation, attribute_id: int) -> Participation:
    """The customer's one tap on "don't keep this" for one thing an answer told us."""
    participation = _locked(participation)
    if participation.answers_kept_at:
        raise ApplicationError(_("Your answers are already saved; change them in My data."))
    told = {attribute.pk for attribute in _told_values(participation)}
    if attribute_id not in told:
        raise ApplicationError(_("None of your answers told us this."))
    if attribute_id not in participation.withheld_attributes:
        participation.withheld_attributes = [*participation.withheld_attributes, attribute_id]
        participation.save(update_fields=["withheld_attributes"])
    return participation


@transaction.atomic(durable=True)
def participation_answer(
    *,
    participation: Participation,
    question_id: int,
    option_ids: list[int] | None = None,
    number: int | None = None,
    text: str = "",
    timed_out: bool = False,
    may_earn: bool = True,
) -> int | None:
    """One step of the player: save the answer, and finish when no question is left on the
    player's way (see `participation_complete` for `may_earn`). Returns the number of the
    next question, or None when finished."""
    # One lock and no savepoints: this transaction is the whole step.
    locked = _locked(participation)
    _answer, chosen = _submit(
        locked,
        question_id=question_id,
        option_ids=option_ids,
        number=number,
        text=text,
        timed_out=timed_out,
    )
    upcoming = player_next(participation=locked, chosen=chosen)
    if upcoming is None:
        _complete(locked, may_earn=may_earn)
        return None
    return upcoming[0]


def participations_forget_unkept_answers(*, older_than_hours: int = 24) -> int:
    """Players who never pressed "Done" never agreed: their answers leave the profile."""
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    stale = Participation.objects.filter(completed_at__lte=cutoff, answers_kept_at__isnull=True)
    deleted, _by_model = Answer.objects.filter(participation__in=stale).delete()
    stale.update(answers_kept_at=timezone.now())
    return deleted
