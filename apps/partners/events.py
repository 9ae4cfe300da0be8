"""The event partners publish: their own events about their customers.

What partners are told of ours is the webhook catalogue, `PartnerChange.Kind`, whose values
are the names of the definitions in the other apps' events modules.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apps.core.events import Event


@dataclass(frozen=True, kw_only=True)
class PartnerEventReported(Event):
    """A partner's own event about one of its customers (a purchase, a visit). Its name is
    the key of a `PartnerEventType` staff created, so earning rules and challenges can count
    it like any other; the partner's properties come first and can never replace ours."""

    type: str
    properties: dict[str, Any]
    profile: str
    partner: str
    idempotency_key: str
    occurred_at: datetime

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.type

    def payload(self) -> dict[str, Any]:
        return {
            **self.properties,
            "profile": self.profile,
            "partner": self.partner,
            "idempotency_key": self.idempotency_key,
            "occurred_at": self.occurred_at.isoformat(),
        }
