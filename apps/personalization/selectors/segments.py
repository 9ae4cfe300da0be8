"""Who is in a segment, read fresh or from its stored members."""

import logging

from django.db.models import QuerySet

from apps.consent.selectors import consent_granted_exists
from apps.personalization.materialize import segment_members_q
from apps.personalization.models import (
    Segment,
)
from apps.personalization.rules import PERSONALIZATION, RuleError, rule_compile
from apps.profiles.models import Profile

logger = logging.getLogger(__name__)


SAMPLE_SIZE = 10


def segment_list() -> QuerySet[Segment]:
    return Segment.objects.all()


def segment_get(*, key: str) -> Segment | None:
    return Segment.objects.filter(key=key).first()


def segment_profiles(*, segment: Segment) -> QuerySet[Profile]:
    """Everyone in the segment now, in one query; a withdrawal counts on the next read.

    A materialised segment reads its stored members, still filtered by current consent, so a
    withdrawal counts at once there too.
    """
    # Staff's test customers are in no segment.
    profiles = Profile.objects.counted().exclude(kind=Profile.Kind.MERGED)
    if segment.materialize and segment.materialized_at is not None:
        return profiles.filter(segment_members_q(segment)).filter(
            consent_granted_exists(purpose_key=PERSONALIZATION)
        )
    return profiles.filter(rule_compile(segment.rule, segment_key=segment.key))


def rule_preview(*, rule: object) -> tuple[int, list[str]]:
    """How many customers a rule being edited matches, and a sample of pseudonymous ids."""
    profiles = (
        Profile.objects.counted().exclude(kind=Profile.Kind.MERGED).filter(rule_compile(rule))
    )
    sample = [
        str(public_id) for public_id in profiles.values_list("public_id", flat=True)[:SAMPLE_SIZE]
    ]
    return profiles.count(), sample


def profile_in_segment(*, profile: Profile, segment: Segment) -> bool:
    """Membership; a stored rule that no longer compiles (a segment or tier it names was
    removed) makes nobody a member rather than failing the customer's page."""
    try:
        return segment_profiles(segment=segment).filter(pk=profile.pk).exists()
    except RuleError:
        logger.warning("Segment %s has a rule that no longer compiles.", segment.key)
        return False
