"""Plays moving to a member when two profiles merge, and the points of plays held back
until their player signed in."""

from django.db import transaction

from apps.campaigns.events import QuizCompleted
from apps.campaigns.models import (
    Participation,
)
from apps.loyalty.models import LedgerEntry, PointsWithheld
from apps.loyalty.reasons import LedgerReason
from apps.loyalty.services import earning_rules_apply_withheld, ledger_take_back
from apps.profiles.models import Profile


def _wins(play: Participation, other: Participation) -> bool:
    """Which of two plays of one round a merged member keeps: the earlier completion; a
    finished play over an unfinished one; of two unfinished plays, the later one."""
    if play.is_completed and other.is_completed:
        return (play.completed_at, play.pk) < (other.completed_at, other.pk)
    if play.is_completed or other.is_completed:
        return play.is_completed
    return (play.started_at, play.pk) > (other.started_at, other.pk)


@transaction.atomic
def participations_merge_profiles(*, source: Profile, target: Profile) -> None:
    """Plays move to the member. Where both played the same round, one play is kept (see
    `_wins`); the other stays with the merged profile and its points are taken back, so a
    campaign never pays twice for one round."""
    kept = {(p.campaign_id, p.round): p for p in Participation.objects.filter(profile=target)}
    for play in Participation.objects.filter(profile=source).order_by("pk"):
        other = kept.get((play.campaign_id, play.round))
        if other is None:
            Participation.objects.filter(pk=play.pk).update(profile=target)
            continue
        loser, owner = (other, target) if _wins(play, other) else (play, source)
        if loser is other:
            # Swap owners through round 0, which no play uses: one play per round is unique.
            Participation.objects.filter(pk=other.pk).update(profile=source, round=0)
            Participation.objects.filter(pk=play.pk).update(profile=target)
            Participation.objects.filter(pk=other.pk).update(round=play.round)
        ledger_take_back(
            profile=owner,
            occurrence=f"participation:{loser.pk}",
            reason=LedgerReason.PLAYED_TWICE,
        )


@transaction.atomic
def participations_points_release(*, profile: Profile) -> list[LedgerEntry]:
    """A player who signed in collects the points their finished plays of campaigns with
    points for members held back: credited now by the rules of the day, once per play. Plays
    held back by a velocity limit stay without points."""
    if profile.kind != Profile.Kind.MEMBER:
        return []
    plays = (
        Participation.objects.select_for_update(of=("self",))
        .select_related("campaign", "outcome", "profile")
        .filter(
            profile=profile,
            completed_at__isnull=False,
            points_withheld=PointsWithheld.UNTIL_SIGN_IN,
        )
        .order_by("pk")
    )
    credited = []
    for play in plays:
        play.points_withheld = PointsWithheld.NO
        play.save(update_fields=["points_withheld"])
        credited += earning_rules_apply_withheld(event=QuizCompleted.of_finished(play))
    return credited
