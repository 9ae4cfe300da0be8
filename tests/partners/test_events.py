from datetime import UTC, datetime

from apps.core.events import EVENT_DEFINITIONS
from apps.partners.events import PartnerEventReported

OCCURRED = datetime(2026, 6, 1, 12, 30, tzinfo=UTC)


def _reported(**properties) -> PartnerEventReported:
    return PartnerEventReported(
        type="purchase.completed",
        properties=properties,
        profile="p-1",
        partner="shop",
        idempotency_key="partner:shop:order-1",
        occurred_at=OCCURRED,
    )


def test_a_partners_event_is_named_by_its_type():
    assert _reported().name == "purchase.completed"
    assert "purchase.completed" not in EVENT_DEFINITIONS


def test_a_partners_properties_come_first_and_never_replace_ours():
    payload = _reported(amount=20, profile="someone-else", partner="other").payload()

    assert payload == {
        "amount": 20,
        "profile": "p-1",
        "partner": "shop",
        "idempotency_key": "partner:shop:order-1",
        "occurred_at": "2026-06-01T12:30:00+00:00",
    }
    assert list(payload) == ["amount", "profile", "partner", "idempotency_key", "occurred_at"]
