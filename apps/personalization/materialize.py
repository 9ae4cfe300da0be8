"""Stored member lists for large segments: rebuilt nightly, and between runs brought up to
date for just the customers who did something since, all in SQL."""

import time
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from apps.campaigns.selectors import profile_played_since
from apps.challenges.selectors import profile_progressed_since
from apps.consent.selectors import consent_changed_exists
from apps.loyalty.models import LedgerEntry
from apps.personalization.models import ChurnScore, Segment, SegmentMember
from apps.personalization.rules import rule_compile
from apps.preferences.models import DeclarationHistory
from apps.preferences.selectors import declaration_changed_exists
from apps.profiles.models import Profile


def _touched_since(moment: datetime) -> QuerySet[Profile]:
    """Customers whose answers, consents, points, plays, challenges or churn risk changed."""
    return Profile.objects.filter(
        Exists(
            DeclarationHistory.objects.filter(profile_id=OuterRef("pk"), recorded_at__gte=moment)
        )
        | declaration_changed_exists(profile_ref="pk", since=moment)
        | consent_changed_exists(profile_ref="pk", since=moment)
        | Exists(
            LedgerEntry.objects.filter(account__profile_id=OuterRef("pk"), created_at__gte=moment)
        )
        | profile_played_since(moment=moment)
        | profile_progressed_since(moment=moment)
        | Exists(ChurnScore.objects.filter(profile_id=OuterRef("pk"), computed_at__gte=moment))
    )


@transaction.atomic
def segment_materialize(*, segment: Segment, full: bool = False) -> tuple[int, int]:
    """Bring the stored members up to date: all customers when `full` or never run, else only
    those touched since the last run (time-based rules such as "declared within 30 days" are
    settled by the nightly full run). Returns (added, removed) and records the time taken."""
    started, now = time.monotonic(), timezone.now()
    segment = Segment.objects.select_for_update().get(pk=segment.pk)
    scope = (
        Profile.objects.counted().exclude(kind=Profile.Kind.MERGED).filter(erased_at__isnull=True)
    )
    if not full and segment.materialized_at is not None:
        scope = scope.filter(pk__in=_touched_since(segment.materialized_at).values("pk"))
    matching = scope.filter(rule_compile(segment.rule, segment_key=segment.key))
    stored = SegmentMember.objects.filter(segment=segment)
    removed, _kinds = (
        stored.filter(profile__in=scope).exclude(profile__in=matching.values("pk")).delete()
    )
    new_members = matching.exclude(Exists(stored.filter(profile_id=OuterRef("pk")))).values_list(
        "pk", flat=True
    )
    added = len(
        SegmentMember.objects.bulk_create(
            [
                SegmentMember(segment=segment, profile_id=pk, added_at=now)
                for pk in new_members.iterator(chunk_size=5000)
            ],
            batch_size=5000,
            ignore_conflicts=True,
        )
    )
    segment.materialized_at = now
    segment.materialize_ms = int((time.monotonic() - started) * 1000)
    segment.save(update_fields=["materialized_at", "materialize_ms", "updated_at"])
    return added, removed


def segments_materialize(*, full: bool) -> dict[str, tuple[int, int]]:
    return {
        segment.key: segment_materialize(segment=segment, full=full)
        for segment in Segment.objects.filter(materialize=True)
    }


def segment_members_q(segment: Segment) -> Q:
    return Q(pk__in=SegmentMember.objects.filter(segment=segment).values("profile_id"))
