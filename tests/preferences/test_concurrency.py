"""Two tabs editing the same preference at once leave one consistent story."""

import itertools

import pytest

from apps.preferences.models import Declaration, DeclarationHistory, Source
from apps.preferences.services import preference_declare
from tests.concurrency import run_in_parallel
from tests.consent.factories import published_purpose
from tests.preferences.conftest import grant
from tests.preferences.factories import AttributeFactory
from tests.profiles.factories import ProfileFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_edits_leave_a_consistent_history():
    purpose = published_purpose(key="personalization")
    attribute = AttributeFactory(purpose=purpose, choices=["a", "b", "c", "d"])
    profile = ProfileFactory()
    grant(profile, purpose)
    values = list("abcd" * 3)

    def tab(n: int) -> None:
        for value in values[n:]:
            preference_declare(
                profile=profile,
                attribute=attribute,
                value=value,
                source=Source.PREFERENCE_CENTER,
            )

    failures = run_in_parallel(4, tab)

    assert failures == []
    declaration = Declaration.objects.get()
    history = list(DeclarationHistory.objects.order_by("id").values_list("action", "value"))
    assert history[0][0] == "declared"
    assert history[-1][1] == declaration.value
    # Each entry follows from the one before: a change always changes the value, a
    # confirmation always repeats it.
    for (_, before), (action, after) in itertools.pairwise(history):
        assert (action == "changed") == (after != before)
