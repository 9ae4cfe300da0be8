"""Challenges' part of a data-subject export and erasure (see apps.privacy.registry)."""

from django.db import transaction
from django.db.models import Prefetch

from apps.challenges.models import ChallengeProgress, LeaderboardName, StepProgress
from apps.challenges.services import leaderboards_changed
from apps.profiles.models import Profile
from apps.profiles.selectors import profile_and_merged_ids


def export(profile: Profile) -> dict:
    ids = profile_and_merged_ids(profile=profile)
    progress = (
        ChallengeProgress.objects.filter(profile__in=ids)
        .select_related("challenge")
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=StepProgress.objects.select_related("step").order_by(
                    "step__position", "pk"
                ),
            )
        )
        .order_by("updated_at", "pk")
    )
    name = LeaderboardName.objects.filter(profile=profile).first()
    return {
        "progress": [
            {
                "challenge": row.challenge.slug,
                "challenge_title": row.challenge.title,
                "period": row.period,
                "steps_done": row.score,
                "completed_at": row.completed_at,
                "updated_at": row.updated_at,
                "steps": [
                    {"step": step.step.label, "count": step.count, "best_streak": step.best}
                    for step in row.steps.all()
                ],
            }
            for row in progress
        ],
        "leaderboard_name": (
            {"display_name": name.display_name, "chosen_at": name.created_at} if name else None
        ),
    }


@transaction.atomic
def erase(profile: Profile) -> dict[str, int]:
    """Progress, streaks and the leaderboard name go; cached rankings are recomputed."""
    ids = profile_and_merged_ids(profile=profile)
    _total, progress = ChallengeProgress.objects.filter(profile__in=ids).delete()
    names, _kinds = LeaderboardName.objects.filter(profile__in=ids).delete()
    transaction.on_commit(leaderboards_changed)
    return {
        "challenge_progress": progress.get(ChallengeProgress._meta.label, 0),
        "leaderboard_names": names,
    }
