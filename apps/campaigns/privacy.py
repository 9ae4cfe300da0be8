"""Campaigns' part of a data-subject export and erasure (see apps.privacy.registry)."""

from django.db import transaction
from django.db.models import Prefetch

from apps.campaigns.models import Answer, Option, Participation
from apps.profiles.models import Profile
from apps.profiles.selectors import profile_and_merged_ids


def _answer(answer: Answer) -> dict:
    return {
        "question": answer.question.text,
        "question_kind": answer.question.kind,
        "chosen": [option.label for option in answer.options.all()],
        "number": answer.number,
        "text": answer.text,
        "answered_at": answer.answered_at,
        "after_the_countdown": answer.late,
    }


def export(profile: Profile) -> dict:
    answers = Answer.objects.select_related("question").prefetch_related(
        Prefetch("options", queryset=Option.objects.order_by("position", "pk"))
    )
    plays = (
        Participation.objects.filter(profile__in=profile_and_merged_ids(profile=profile))
        .select_related("campaign", "outcome")
        .prefetch_related(Prefetch("answers", queryset=answers.order_by("question__position")))
        .order_by("started_at", "pk")
    )
    return {
        "participations": [
            {
                "id": play.pk,
                "campaign": play.campaign.slug,
                "campaign_title": play.campaign.title,
                "campaign_kind": play.campaign.kind,
                "round": play.round,
                "started_at": play.started_at,
                "completed_at": play.completed_at,
                "score": play.score,
                "outcome": play.outcome.title if play.outcome else None,
                "results_per_dimension": play.dimension_results,
                "answers_kept_at": play.answers_kept_at,
                # Until the player decides, answers are kept here; afterwards only what they
                # agreed to remains, as declarations.
                "answers": [_answer(answer) for answer in play.answers.all()],
            }
            for play in plays
        ]
    }


@transaction.atomic
def erase(profile: Profile) -> dict[str, int]:
    """Every answer goes, and every play not finished. A finished play stays, pseudonymised,
    for the campaign's statistics: when, the score and the outcome, never what was said.
    The plays are locked first, so an answer given at this moment either lands before and is
    erased, or waits and finds no play to answer."""
    plays = Participation.objects.filter(profile__in=profile_and_merged_ids(profile=profile))
    locked = list(plays.select_for_update().order_by("pk").values_list("pk", flat=True))
    _total, answers = Answer.objects.filter(participation__in=locked).delete()
    _total, unfinished = plays.filter(completed_at__isnull=True).delete()
    finished = plays.filter(completed_at__isnull=False).update(
        dimension_results=[], withheld_attributes=[], question_shown=None, question_shown_at=None
    )
    return {
        "answers": answers.get(Answer._meta.label, 0),
        "unfinished_participations": unfinished.get(Participation._meta.label, 0),
        "participations_kept_pseudonymised": finished,
    }
