import pytest
from django.core.management import call_command

from apps.loyalty.models import LedgerEntry
from apps.loyalty.selectors import ledger_mismatches
from tests.loyalty.factories import RewardFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_in_tmp")]


def test_generate_profiles_exercise_ledger_writes_through_every_ledger_service(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    RewardFactory(cost=1, stock=None)

    call_command("generate_profiles", count=20, jobs=1, exercise_ledger=5)

    kinds = set(LedgerEntry.objects.values_list("kind", flat=True))
    assert {"earn", "redeem", "reverse"} <= kinds
    assert not ledger_mismatches().exists()
    assert "ledger service calls" in capsys.readouterr().out
