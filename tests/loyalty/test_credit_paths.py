"""The parametrised ledger tests cover the one-statement credit only if it really runs."""

import sys

import pytest

from apps.loyalty.services import ledger_credit

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_ledger_credit_on_postgresql_writes_to_an_existing_account_in_one_statement(
    profile, monkeypatch
):
    ledger = sys.modules[ledger_credit.__module__]
    one_statement = ledger._credit_in_one_statement
    answers = []

    def recorded(**details):
        answers.append(one_statement(**details))
        return answers[-1]

    monkeypatch.setattr(ledger, "_credit_in_one_statement", recorded)

    for key in ("first", "second", "second"):
        ledger_credit(profile=profile, points=10, idempotency_key=key, reason="Quiz")

    opened, written, retried = answers
    assert opened is None  # no account yet: the locked path creates it
    assert written is not None
    assert retried is None  # a used key: the locked path returns the first entry
