from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AccessLog
from apps.consent.evidence import Evidence
from apps.consent.models import Channel
from apps.consent.services import consent_withdraw
from apps.personalization.leads import leads_for_topic
from apps.preferences.models import Attribute
from tests.personalization.conftest import declare
from tests.preferences.factories import AttributeFactory
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bike_plans(purpose):
    return AttributeFactory(
        key="bike_purchase",
        purpose=purpose,
        topic=Attribute.Topic.SHOPPING,
        choices=["city", "mountain"],
        intent_horizon_days=90,
    )


def test_fresher_intents_are_more_relevant_and_expired_ones_are_gone(bike_plans):
    fresh, older, expired = ProfileFactory(), ProfileFactory(), ProfileFactory()
    declare(fresh, bike_plans, "city", days_ago=14)
    declare(older, bike_plans, "mountain", days_ago=60)
    declare(expired, bike_plans, "city", days_ago=120)

    leads = leads_for_topic(topic=Attribute.Topic.SHOPPING)

    assert [lead.profile_id for lead in leads] == [fresh.pk, older.pk]
    assert leads[0].relevance == pytest.approx(1 - 14 / 90, abs=0.01)
    assert leads[0].value == "city (de)"


def test_a_withdrawn_purpose_removes_the_lead(bike_plans, purpose):
    profile = ProfileFactory()
    declare(profile, bike_plans, "city", days_ago=1)
    consent_withdraw(
        profile=profile,
        purpose=purpose,
        channel=Channel.WEB,
        collection_point="test",
        evidence=Evidence(),
        language="de",
    )

    assert leads_for_topic(topic=Attribute.Topic.SHOPPING) == []


def test_staff_see_leads_as_pseudonymous_ids_and_each_read_is_logged(
    admin_client, admin_user, bike_plans
):
    profile = ProfileFactory()
    declare(profile, bike_plans, "city", days_ago=3)

    response = admin_client.get(reverse("admin:personalization_leads"), {"topic": "shopping"})

    assert response.status_code == 200
    assert str(profile.public_id).encode() in response.content
    assert AccessLog.objects.filter(staff_user=admin_user, profile=profile).exists()
    assert (
        admin_client.get(reverse("admin:personalization_leads"), {"topic": "<x>"}).status_code
        == 200
    )


def test_relevance_halves_halfway_to_the_horizon(bike_plans):
    profile = ProfileFactory()
    declare(profile, bike_plans, "city")

    (lead,) = leads_for_topic(
        topic=Attribute.Topic.SHOPPING, now=timezone.now() + timedelta(days=45)
    )

    assert lead.relevance == pytest.approx(0.5, abs=0.01)
