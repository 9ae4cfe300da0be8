from datetime import timedelta

import pytest
from django.utils import timezone

from apps.preferences.models import Declaration, Source
from apps.preferences.selectors import declaration_list_usable, preference_center_groups
from apps.preferences.services import preference_declare
from tests.consent.factories import published_purpose
from tests.preferences.conftest import grant, withdraw
from tests.preferences.factories import AttributeFactory
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db


def _declare(profile, attribute, value):
    return preference_declare(
        profile=profile, attribute=attribute, value=value, source=Source.PREFERENCE_CENTER
    )


def test_declaration_list_usable_returns_only_granted_purposes(profile, favourite, granted):
    research = published_purpose(key="research")
    opinion = AttributeFactory(key="opinion", purpose=research, choices=["yes", "no"])
    grant(profile, research)
    _declare(profile, favourite, "savory")
    _declare(profile, opinion, "yes")
    withdraw(profile, research)

    results = declaration_list_usable(profile_ids=[profile.pk])

    assert [d.attribute.key for d in results] == ["favourite_category"]


def test_a_withdrawal_hides_declarations_on_the_very_next_read(
    profile, favourite, granted, purpose
):
    _declare(profile, favourite, "savory")
    assert declaration_list_usable(profile_ids=[profile.pk]).count() == 1

    withdraw(profile, purpose)

    assert declaration_list_usable(profile_ids=[profile.pk]).count() == 0
    assert Declaration.objects.count() == 1


def test_declaration_list_usable_reports_staleness(profile, favourite, granted):
    declaration = _declare(profile, favourite, "savory")
    Declaration.objects.filter(pk=declaration.pk).update(
        confirmed_at=timezone.now() - timedelta(days=200)
    )

    (result,) = declaration_list_usable(profile_ids=[profile.pk], purpose_keys=["personalization"])

    assert result.is_stale


def test_declaration_list_usable_reads_a_batch_in_one_query(
    purpose, favourite, django_assert_num_queries
):
    profiles = ProfileFactory.create_batch(20)
    for p in profiles:
        grant(p, purpose)
        _declare(p, favourite, "sweet")
    withdraw(profiles[0], purpose)

    with django_assert_num_queries(1):
        results = list(
            declaration_list_usable(profile_ids=[p.pk for p in profiles]).select_related(
                "attribute__purpose"
            )
        )
        assert all(r.attribute.purpose.key == "personalization" for r in results)

    assert len(results) == 19


def test_preference_center_groups_show_unused_declarations_too(
    profile, favourite, granted, purpose
):
    _declare(profile, favourite, "savory")
    withdraw(profile, purpose)

    (group,) = preference_center_groups(profile=profile)

    (row,) = group.declared
    assert row.display_value == "savory (de)"
    assert row.purpose_granted is False
