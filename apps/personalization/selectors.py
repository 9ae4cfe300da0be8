from django.db.models import QuerySet

from apps.personalization.models import Segment
from apps.personalization.rules import rule_compile
from apps.profiles.models import Profile

SAMPLE_SIZE = 10


def segment_profiles(*, segment: Segment) -> QuerySet[Profile]:
    """Everyone in the segment now, in one query; a withdrawal counts on the next read."""
    return Profile.objects.exclude(kind=Profile.Kind.MERGED).filter(
        rule_compile(segment.rule, segment_key=segment.key)
    )


def rule_preview(*, rule: object) -> tuple[int, list[str]]:
    """How many customers a rule being edited matches, and a sample of pseudonymous ids."""
    profiles = Profile.objects.exclude(kind=Profile.Kind.MERGED).filter(rule_compile(rule))
    sample = [
        str(public_id) for public_id in profiles.values_list("public_id", flat=True)[:SAMPLE_SIZE]
    ]
    return profiles.count(), sample


def profile_in_segment(*, profile: Profile, segment: Segment) -> bool:
    return segment_profiles(segment=segment).filter(pk=profile.pk).exists()
