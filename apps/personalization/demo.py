"""Two segments to try the rule builder on. Idempotent."""

from django.db import transaction

from apps.personalization.models import Segment
from apps.personalization.services import segment_save

SEGMENTS = [
    (
        "plant-based-savoury",
        "Pflanzlich und herzhaft",
        {
            "all": [
                {"attribute": "diet", "op": "in", "value": ["vegan", "vegetarian"]},
                {"attribute": "favourite_category", "op": "eq", "value": "savory"},
            ]
        },
    ),
    (
        "engaged-big-spenders",
        "Aktiv mit großem Budget",
        {
            "all": [
                {"attribute": "budget", "op": "gte", "value": 4},
                {"earned_within_days": 30, "gte": 100},
                {"not": {"consent": "email_marketing"}},
            ]
        },
    ),
]


@transaction.atomic
def demo_segments_ensure() -> int:
    created = 0
    for key, name, rule in SEGMENTS:
        if not Segment.objects.filter(key=key).exists():
            segment_save(segment=Segment(key=key, name=name, rule=rule))
            created += 1
    return created
