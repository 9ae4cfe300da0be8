"""Partners never hear of a staff user's test customer: no change feed entry, no webhook."""

import pytest

from apps.core.services import outbox_relay_pending
from apps.partners.models import PartnerChange, WebhookDelivery
from apps.partners.services import partner_link_customer
from apps.preferences.models import Source
from apps.preferences.services import preference_declare
from apps.profiles.models import Profile
from tests.consent.factories import grant_consent
from tests.partners.factories import WebhookEndpointFactory
from tests.preferences.factories import AttributeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("is_test", [False, True])
def test_a_test_customers_changes_reach_no_feed_and_no_webhook(shop, purposes, is_test):
    diet = AttributeFactory(key="diet", purpose=purposes["personalization"], choices=["vegan"])
    WebhookEndpointFactory(partner=shop.partner, event_types=["preference.declared"])
    profile, _created = partner_link_customer(partner=shop.partner, external_id="4711")
    Profile.objects.filter(pk=profile.pk).update(is_test=is_test)
    for key in ("partner_sharing", "personalization"):
        grant_consent(profile, purposes[key])

    preference_declare(profile=profile, attribute=diet, value="vegan", source=Source.QUIZ)
    outbox_relay_pending(batch_size=100)

    # The same customer, not marked as a test, is told: the test is what keeps it out.
    assert PartnerChange.objects.exists() is not is_test
    assert WebhookDelivery.objects.exists() is not is_test
