"""Which partners hear of an event about a customer, and what they may be told.

One place decides for the change feed and for webhooks alike: a partner hears only of its own
customers (linked by its customer id), and a payload carries data only under purposes the
partner is allowed and the customer granted, with sharing with partners granted too.
Withdrawals and erasures always reach the partners concerned, and carry no personal data.
"""

from dataclasses import dataclass

from apps.consent.events import ConsentGranted, ConsentWithdrawn
from apps.core.models import OutboxEvent
from apps.loyalty.events import PointsChanged, TierChanged
from apps.partners.models import PartnerChange, PartnerClient
from apps.partners.selectors import SHARING_PURPOSE, partner_readable_purposes
from apps.preferences.events import PreferenceDeclared, PreferenceDeleted
from apps.profiles.events import ProfileErased
from apps.profiles.models import Identifier, Profile

NOTIFIED_EVENTS = frozenset(PartnerChange.Kind.values)
# Told to every linked partner, whatever the customer shares: they must act on them.
ALWAYS_TOLD = frozenset({ConsentWithdrawn.name, ProfileErased.name})


@dataclass(frozen=True)
class Notice:
    partner: PartnerClient
    kind: str
    profile_public_id: str
    payload: dict


def _payload(event: OutboxEvent, readable: dict[int, str]) -> dict | None:
    """What this partner may be told of the event; None when it may not hear of it at all."""
    data = event.payload
    base = {"profile": data["profile"]}
    if event.name in (PreferenceDeclared.name, PreferenceDeleted.name):
        if data.get("purpose") not in readable.values():
            return None
        return {**base, "attribute": data["attribute"], "purpose": data["purpose"]}
    if event.name == ConsentGranted.name:
        purpose = data.get("purpose")
        if purpose not in readable.values() and purpose != SHARING_PURPOSE:
            return None
        return {**base, "purpose": purpose}
    if event.name == ConsentWithdrawn.name:
        return {**base, "purpose": data.get("purpose")}
    if event.name == TierChanged.name:
        return {**base, "tier": data.get("tier"), "previous": data.get("previous")}
    if event.name == PointsChanged.name:
        return {**base, "amount": data.get("amount"), "balance": data.get("balance")}
    return base


def _concerns(partner: PartnerClient, payload: dict) -> bool:
    """A withdrawal matters to a partner when it ends sharing, or a purpose the partner is
    allowed; of the others it must not even learn."""
    purpose = payload.get("purpose")
    return purpose == SHARING_PURPOSE or partner.allowed_purposes.filter(key=purpose).exists()


def _erasure_notices(event: OutboxEvent) -> list[Notice]:
    """By the time an erasure is relayed the person's identifiers and id are gone: the event
    itself names the partners that knew them, and the id those partners knew."""
    public_id = str(event.payload["profile"])
    partners = PartnerClient.objects.filter(
        key__in=list(event.payload.get("partners") or []), is_active=True
    )
    return [Notice(partner, event.name, public_id, {"profile": public_id}) for partner in partners]


def partner_notices(*, event: OutboxEvent) -> list[Notice]:
    if event.name not in NOTIFIED_EVENTS or "profile" not in event.payload:
        return []
    if event.name == ProfileErased.name:
        return _erasure_notices(event)
    # Staff's test customers are nobody a partner may hear of.
    profile = Profile.objects.counted().filter(public_id=event.payload["profile"]).first()
    if profile is None:
        return []
    partner_keys = Identifier.objects.filter(
        profile=profile, kind=Identifier.Kind.EXTERNAL
    ).values_list("namespace", flat=True)
    partners = PartnerClient.objects.filter(key__in=list(partner_keys), is_active=True)
    notices = []
    for partner in partners:
        if event.name == ConsentWithdrawn.name and not _concerns(partner, event.payload):
            continue
        readable = partner_readable_purposes(partner=partner, profile=profile)
        if not readable and event.name not in ALWAYS_TOLD:
            # The customer does not share with partners (or nothing this partner may read).
            continue
        payload = _payload(event, readable)
        if payload is not None:
            notices.append(Notice(partner, event.name, str(profile.public_id), payload))
    return notices
