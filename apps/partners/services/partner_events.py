"""Events a partner reports about its customers, credited by the earning rules."""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.events import publish
from apps.core.exceptions import ApplicationError
from apps.core.models import OutboxEvent
from apps.loyalty.selectors import account_for_profile, points_earned_for
from apps.partners.models import PartnerClient, PartnerEventType
from apps.profiles.models import Profile

# Partner keys end up inside ledger keys ("rule:<id>:<key>", "redeem:<key>"), which hold 200
# characters; longer keys are replaced by their digest so the ledger never refuses them.
SCOPED_KEY_MAX_LENGTH = 160
# Payload names the event's own fields take; a partner's properties may not replace them.
RESERVED_EVENT_FIELDS = frozenset({"profile", "partner", "idempotency_key", "occurred_at"})


def partner_scoped_key(*, partner: PartnerClient, key: str) -> str:
    """The partner's Idempotency-Key as the ledger sees it: never equal to another partner's."""
    scoped = f"partner:{partner.key}:{key}"
    if len(scoped) <= SCOPED_KEY_MAX_LENGTH:
        return scoped
    return f"partner:{partner.key}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


@dataclass(frozen=True)
class RecordedEvent:
    event: OutboxEvent
    points_credited: int
    balance: int


@transaction.atomic
def partner_event_record(
    *,
    partner: PartnerClient,
    profile: Profile,
    event_type: str,
    properties: dict,
    occurred_at: datetime | None,
    idempotency_key: str,
) -> RecordedEvent:
    """Publish a partner's event for one of its customers; earning rules credit in this
    transaction, once per rule and key, so a repeated report never earns twice."""
    if not PartnerEventType.objects.filter(key=event_type, is_active=True).exists():
        raise ApplicationError(_("Unknown event type: %(type)s.") % {"type": event_type})
    occurrence = partner_scoped_key(partner=partner, key=idempotency_key)
    event = publish(
        event_type,
        {
            **properties,
            # Ours come last: a property can never replace them.
            "profile": str(profile.public_id),
            "partner": partner.key,
            "idempotency_key": occurrence,
            "occurred_at": (occurred_at or timezone.now()).isoformat(),
        },
    )
    account = account_for_profile(profile=profile)
    return RecordedEvent(
        event=event,
        points_credited=points_earned_for(profile=profile, occurrence=occurrence),
        balance=account.balance if account else 0,
    )
