"""Partners read why points moved as a stable code; a note staff typed never reaches them."""

import pytest

from apps.loyalty.reasons import LedgerReason, LedgerReasonCode
from apps.loyalty.services import ledger_adjust, ledger_credit, ledger_reverse
from apps.partners.services import partner_link_customer
from tests.consent.factories import grant_consent

pytestmark = pytest.mark.django_db

NOTE = "Goodwill: ticket #881, complained about courier"


@pytest.fixture
def customer(shop, purposes):
    profile, _created = partner_link_customer(partner=shop.partner, external_id="4711")
    for key in ("partner_sharing", "personalization"):
        grant_consent(profile, purposes[key])
    return profile


def _ledger(shop, profile) -> list[dict]:
    return shop.get(f"/api/v1/profiles/{profile.public_id}/ledger/").json()["results"]


def test_a_staff_adjustment_reaches_partners_as_a_code_and_a_generic_label(
    shop, customer, admin_user
):
    ledger_adjust(
        profile=customer, points=50, reason=NOTE, staff_user=admin_user, idempotency_key="a"
    )

    (row,) = _ledger(shop, customer)

    assert row["reason_code"] == LedgerReasonCode.STAFF_ADJUSTMENT == "staff_adjustment"
    assert row["reason"] == "Correction to your points"
    assert "ticket" not in str(row).lower()


def test_a_reversal_staff_explained_reaches_partners_without_the_note(shop, customer, admin_user):
    credit = ledger_credit(profile=customer, points=20, idempotency_key="c", reason="Quiz")
    ledger_reverse(entry=credit, reason=NOTE, staff_user=admin_user)

    rows = _ledger(shop, customer)

    assert [(row["reason_code"], row["reason"]) for row in rows] == [
        ("reversal", "Correction to your points"),
        ("earned", "Quiz"),
    ]


def test_a_reason_of_ours_reaches_partners_as_its_code_and_as_written(shop, customer):
    credit = ledger_credit(profile=customer, points=20, idempotency_key="c", reason="Quiz")
    ledger_reverse(entry=credit, reason=LedgerReason.CANCELLED_BY_STAFF)

    (reversal, _credit) = _ledger(shop, customer)

    assert (reversal["reason_code"], reversal["reason"]) == (
        "cancelled_by_staff",
        "Cancelled by staff",
    )


def test_a_cancellation_by_another_partner_does_not_name_it(shop, customer):
    credit = ledger_credit(profile=customer, points=20, idempotency_key="c", reason="Quiz")
    ledger_reverse(entry=credit, reason="Cancelled by partner crm")

    (reversal, _credit) = _ledger(shop, customer)

    assert (reversal["reason_code"], reversal["reason"]) == (
        "cancelled_by_partner",
        "Cancelled by a partner",
    )
