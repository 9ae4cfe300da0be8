from django.db import transaction

from apps.challenges.services import (
    LEADERBOARD_PURPOSE,
    challenge_progress_merge_profiles,
    challenges_advance,
    leaderboards_changed,
)
from apps.core.events import ALL_EVENTS, subscribe
from apps.core.models import OutboxEvent
from apps.profiles.selectors import profiles_of_merge


@subscribe(ALL_EVENTS)
def advance_challenges(event: OutboxEvent) -> None:
    # In the publishing transaction: the next screen already shows the progress.
    challenges_advance(event=event)


@subscribe("profile.merged")
def merge_challenge_progress(event: OutboxEvent) -> None:
    source, target = profiles_of_merge(payload=event.payload)
    challenge_progress_merge_profiles(source=source, target=target)


@subscribe("consent.withdrawn")
def leave_boards_on_withdrawal(event: OutboxEvent) -> None:
    if event.payload.get("purpose") == LEADERBOARD_PURPOSE:
        transaction.on_commit(leaderboards_changed)
