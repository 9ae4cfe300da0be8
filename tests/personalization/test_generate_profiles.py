"""Generated customers store their answers as the player does, on either database, so offers
and segments match them."""

import pytest
from django.db import connection

from apps.personalization.selectors import recommendations
from apps.personalization.synthetic.profiles import profiles_generate
from apps.preferences.models import Attribute, Declaration, Source
from apps.preferences.services import preference_declare
from apps.profiles.models import Profile
from tests.consent.factories import grant_consent
from tests.profiles.factories import ProfileFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_in_tmp")]


@pytest.fixture
def demo_catalogue() -> None:
    from apps.campaigns.demo import demo_campaigns_ensure
    from apps.consent.demo import demo_purposes_ensure
    from apps.personalization.demo import demo_offers_ensure
    from apps.preferences.demo import demo_attributes_ensure

    demo_purposes_ensure()
    demo_attributes_ensure()
    demo_campaigns_ensure()
    demo_offers_ensure()


def _stored(declaration: Declaration) -> str:
    """The value as the database holds it, as text."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT CAST(value AS TEXT) FROM {Declaration._meta.db_table} WHERE id = %s",
            [declaration.pk],
        )
        return cursor.fetchone()[0]


def _generated_values_are_stored_as_the_player_stores_them() -> None:
    list(profiles_generate(count=60, seed=5, days=100))

    for key in ("favourite_category", "diet", "budget"):
        attribute = Attribute.objects.get(key=key)
        generated = Declaration.objects.filter(
            attribute=attribute, source_label="generated"
        ).first()
        assert generated is not None, key
        customer = ProfileFactory()
        grant_consent(customer, attribute.purpose)
        told = preference_declare(
            profile=customer, attribute=attribute, value=generated.value, source=Source.QUIZ
        )
        # Not "\"savory\"": the value itself, encoded once, like the player's.
        assert not isinstance(generated.value, str) or not generated.value.startswith('"')
        assert _stored(generated).replace(" ", "") == _stored(told).replace(" ", ""), key
    categories = set(
        Declaration.objects.filter(attribute__key="favourite_category").values_list(
            "value", flat=True
        )
    )
    allowed = set(
        Attribute.objects.get(key="favourite_category").values.values_list("key", flat=True)
    )
    assert categories <= allowed


def _generated_customers_get_recommendations() -> None:
    customers = Profile.objects.filter(declarations__source_label="generated").distinct()
    recommended = [profile for profile in customers if recommendations(profile=profile)]
    assert len(recommended) >= len(customers) // 2


def test_generated_customers_on_sqlite_store_values_like_the_player_and_get_offers(
    demo_catalogue,
):
    _generated_values_are_stored_as_the_player_stores_them()
    _generated_customers_get_recommendations()


@pytest.mark.postgres
def test_generated_customers_on_postgresql_store_values_like_the_player_and_get_offers(
    demo_catalogue,
):
    _generated_values_are_stored_as_the_player_stores_them()
    _generated_customers_get_recommendations()
