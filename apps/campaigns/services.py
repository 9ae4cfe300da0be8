from collections import Counter, defaultdict

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.campaigns.models import Answer, Campaign, Option, OptionTally, Participation, Question
from apps.consent.selectors import consent_granted_profile_ids
from apps.core.events import publish
from apps.core.exceptions import ApplicationError
from apps.preferences.models import Attribute, Declaration, Source
from apps.preferences.services import preference_declare
from apps.profiles.models import Profile
from apps.profiles.services import profile_ensure


def _require_live(campaign: Campaign) -> None:
    if not Campaign.objects.live().filter(pk=campaign.pk).exists():
        raise ApplicationError(_("This campaign is not running."))


def _payload(participation: Participation) -> dict:
    return {
        "profile": str(participation.profile.public_id),
        "campaign": participation.campaign.slug,
        "participation": participation.pk,
    }


@transaction.atomic
def participation_start(
    *, campaign: Campaign, profile: Profile | None, locale: str
) -> Participation:
    """Begin, or pick up where the customer left off; one participation per profile."""
    _require_live(campaign)
    profile = profile_ensure(profile=profile, locale=locale)
    participation, created = Participation.objects.get_or_create(campaign=campaign, profile=profile)
    if created:
        publish("participation.started", _payload(participation))
    return participation


def _locked(participation: Participation) -> Participation:
    return (
        Participation.objects.select_for_update(of=("self",))
        .select_related("campaign", "profile")
        .get(pk=participation.pk)
    )


@transaction.atomic
def answer_submit(
    *, participation: Participation, question_id: int, option_ids: list[int]
) -> Answer:
    """Save an answer as it is given, so a customer who leaves can resume."""
    participation = _locked(participation)
    if participation.is_completed:
        raise ApplicationError(_("You have finished this already."))
    _require_live(participation.campaign)
    question = participation.campaign.questions.filter(pk=question_id).first()
    if question is None:
        raise ApplicationError(_("This question is not part of this campaign."))
    wanted = set(option_ids)
    options = list(question.options.filter(pk__in=wanted))
    if not wanted:
        raise ApplicationError(_("Choose an answer."))
    if len(options) != len(wanted):
        raise ApplicationError(_("Choose from the answers offered."))
    if question.kind == Question.Kind.SINGLE and len(options) > 1:
        raise ApplicationError(_("Choose one answer."))

    answer, created = Answer.objects.get_or_create(participation=participation, question=question)
    previous = set(answer.options.values_list("pk", flat=True)) if not created else set()
    answer.options.set(options)
    _count(added=wanted - previous, removed=previous - wanted)
    publish("question.answered", {**_payload(participation), "question": question.pk})
    return answer


def _count(*, added: set[int], removed: set[int]) -> None:
    for option_id in added:
        tally, _created = OptionTally.objects.get_or_create(option_id=option_id)
        OptionTally.objects.filter(pk=tally.pk).update(count=F("count") + 1)
    if removed:
        OptionTally.objects.filter(option_id__in=removed, count__gt=0).update(count=F("count") - 1)


def _score_and_outcome(participation: Participation) -> tuple[int, object]:
    chosen: dict[int, set[int]] = defaultdict(set)
    for answer_id, option_id in Answer.options.through.objects.filter(
        answer__participation=participation
    ).values_list("answer__question_id", "option_id"):
        chosen[answer_id].add(option_id)
    options = Option.objects.filter(question__campaign=participation.campaign)
    correct: dict[int, set[int]] = defaultdict(set)
    outcome_of: dict[int, int] = {}
    for option in options:
        if option.is_correct:
            correct[option.question_id].add(option.pk)
        if option.outcome_id:
            outcome_of[option.pk] = option.outcome_id
    score = sum(
        1 for question_id, picked in chosen.items() if picked and picked == correct[question_id]
    )
    votes = Counter(outcome_of[o] for picked in chosen.values() for o in picked if o in outcome_of)
    outcome_id = votes.most_common(1)[0][0] if votes else None
    return score, outcome_id


@transaction.atomic
def participation_complete(*, participation: Participation) -> Participation:
    """Finish once: a double click or a replayed POST returns the first completion."""
    participation = _locked(participation)
    if participation.is_completed:
        return participation
    missing = participation.campaign.questions.exclude(
        pk__in=participation.answers.values("question_id")
    )
    if missing.exists():
        raise ApplicationError(_("Please answer every question first."))
    participation.score, participation.outcome_id = _score_and_outcome(participation)
    participation.completed_at = timezone.now()
    participation.save(update_fields=["score", "outcome", "completed_at"])
    publish(
        "quiz.completed",
        {
            **_payload(participation),
            "kind": participation.campaign.kind,
            "score": participation.score,
            "outcome": participation.outcome.key if participation.outcome else None,
            # Loyalty credits once per participation, however often this is replayed.
            "idempotency_key": f"participation:{participation.pk}",
        },
    )
    return participation


def _told_values(participation: Participation) -> dict[Attribute, object]:
    """What the answers say about the customer, per attribute."""
    values: dict[Attribute, list[str]] = defaultdict(list)
    for option in Option.objects.filter(
        answer__participation=participation, attribute__isnull=False
    ).select_related("attribute__purpose"):
        values[option.attribute].append(option.attribute_value)
    return {
        attribute: (chosen if attribute.kind == Attribute.Kind.MULTIPLE_CHOICE else chosen[0])
        for attribute, chosen in values.items()
    }


@transaction.atomic
def participation_keep_answers(*, participation: Participation) -> list[Declaration]:
    """After the consent prompt: keep what the answers tell us as declarations, for purposes
    the customer granted; the rest leaves the profile and stays only in anonymous counts."""
    participation = _locked(participation)
    if not participation.is_completed:
        raise ApplicationError(_("Please answer every question first."))
    if participation.answers_kept_at:
        return []
    kept, dropped = [], set()
    for attribute, value in _told_values(participation).items():
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
    if dropped:
        Answer.objects.filter(
            participation=participation, options__attribute_id__in=dropped
        ).delete()
    participation.answers_kept_at = timezone.now()
    participation.save(update_fields=["answers_kept_at"])
    return kept
