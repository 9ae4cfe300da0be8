from django.db import transaction

from apps.challenges.events import ChallengeCompleted
from apps.challenges.services import (
    LEADERBOARD_PURPOSE,
    challenge_progress_merge_profiles,
    challenges_advance,
    leaderboards_changed,
)
from apps.consent.events import ConsentWithdrawn
from apps.core.events import ALL_EVENTS, subscribe
from apps.core.models import OutboxEvent
from apps.loyalty.services import badges_award_for_challenge_count
from apps.profiles.events import ProfileMerged
from apps.profiles.selectors import profiles_of_merge


@subscribe(ALL_EVENTS)
def advance_challenges(event: OutboxEvent) -> None:
    # In the publishing transaction: the next screen already shows the progress.
    challenges_advance(event=event)


@subscribe(ProfileMerged)
def merge_challenge_progress(event: OutboxEvent) -> None:
    source, target = profiles_of_merge(payload=event.payload)
    challenge_progress_merge_profiles(source=source, target=target)


@subscribe(ConsentWithdrawn)
def leave_boards_on_withdrawal(event: OutboxEvent) -> None:
    if event.payload.get("purpose") == LEADERBOARD_PURPOSE:
        transaction.on_commit(leaderboards_changed)


@subscribe(ChallengeCompleted)
def award_challenge_count_badges(event: OutboxEvent) -> None:
    badges_award_for_challenge_count(
        profile_public_id=event.payload["profile"],
        completed=int(event.payload.get("completed_total", 0)),
    )
