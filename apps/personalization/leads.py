"""Lead relevance per topic: declared intent, weighing less each day until its horizon."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from apps.preferences.models import Attribute
from apps.preferences.selectors import declaration_list_usable
from apps.preferences.values import attribute_display_value
from apps.profiles.models import counted_profiles

LEADS_SHOWN = 50


@dataclass(frozen=True)
class Lead:
    public_id: str
    profile_id: int
    attribute: Attribute
    value: str
    declared_at: datetime
    relevance: float


def leads_for_topic(*, topic: str, limit: int = LEADS_SHOWN, now=None) -> list[Lead]:
    """The most relevant leads of a topic: relevance falls from 1 on the day an intent was
    declared to 0 at its horizon. Only answers whose purpose is granted now count. Within one
    attribute relevance follows the date, so each attribute's newest `limit` answers are
    read (one indexed query each) and merged: the top `limit` overall is exact."""
    now = now or timezone.now()
    candidates = []
    intents = Attribute.objects.filter(
        topic=topic, is_active=True, intent_horizon_days__isnull=False
    ).prefetch_related("values")
    for attribute in intents:
        horizon = attribute.intent_horizon_days
        since = now - timezone.timedelta(days=horizon)
        declarations = (
            declaration_list_usable(attribute=attribute)
            .filter(counted_profiles(), declared_at__gt=since)
            .select_related("profile")
            .order_by("-declared_at")[:limit]
        )
        allowed = list(attribute.values.all())
        for declaration in declarations:
            age_days = (now - declaration.declared_at).total_seconds() / 86400
            candidates.append(
                Lead(
                    str(declaration.profile.public_id),
                    declaration.profile_id,
                    attribute,
                    attribute_display_value(
                        attribute=attribute, value=declaration.value, allowed=allowed
                    ),
                    declaration.declared_at,
                    round(max(0.0, 1 - age_days / horizon), 3),
                )
            )
    candidates.sort(key=lambda lead: (-lead.relevance, lead.public_id))
    return candidates[:limit]
