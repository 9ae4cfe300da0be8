from django.db import transaction

from apps.personalization.models import Segment
from apps.personalization.rules import rule_compile


@transaction.atomic
def segment_save(*, segment: Segment) -> Segment:
    """Save a segment whose rule compiles; a RuleError says what to fix and nothing is saved."""
    rule_compile(segment.rule, segment_key=segment.key)
    segment.full_clean()
    segment.save()
    return segment
