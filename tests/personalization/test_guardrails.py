from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from apps.personalization.models import CareFlag, OfferSettings
from apps.personalization.selectors import next_best_action, recommendations
from apps.personalization.services import offer_settings_save, offers_shown
from tests.personalization.conftest import declare
from tests.profiles.factories import ProfileFactory
from tests.profiles.helpers import browse_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def vegan(catalogue):
    profile = ProfileFactory()
    declare(profile, catalogue["diet"], "vegan")
    declare(profile, catalogue["taste"], "spicy")
    return profile


def test_a_customer_who_paused_offers_gets_none(vegan):
    offer_settings_save(profile=vegan, paused=True, max_per_week=None)

    assert recommendations(profile=vegan) == []


def test_a_customer_who_needs_care_gets_no_offers(vegan, admin_user):
    CareFlag.objects.create(profile=vegan, reason="Complaint about a delivery", set_by=admin_user)

    assert recommendations(profile=vegan) == []
    action = next_best_action(profile=vegan)
    assert action is None or action.kind != "offer"


def test_at_most_the_chosen_number_of_new_offers_a_week(vegan):
    offer_settings_save(profile=vegan, paused=False, max_per_week=1)
    first = recommendations(profile=vegan)
    assert len(first) == 1

    offers_shown(profile=vegan, offers=[first[0].offer])

    again = recommendations(profile=vegan)
    assert [r.offer.key for r in again] == [first[0].offer.key]


def test_nothing_is_pushed_in_the_customers_quiet_hours(vegan):
    night = datetime(2026, 11, 27, 23, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    with mock.patch("django.utils.timezone.now", return_value=night):
        assert recommendations(profile=vegan, push=True) == []
        assert recommendations(profile=vegan)  # the customer's own page still shows them


def test_the_settings_form_saves_and_refuses_nonsense(client, vegan):
    browse_as(client, vegan)
    url = reverse("personalization:settings")

    assert client.post(url, {"max_per_week": "1000"}).status_code == 400
    assert not OfferSettings.objects.exists()
    assert client.post(url, {"paused": "on", "max_per_week": "3"}).status_code == 302
    assert OfferSettings.objects.get().paused


def test_staff_can_mark_a_customer_as_needing_care(admin_client, admin_user, vegan):
    response = admin_client.post(
        reverse("admin:personalization_careflag_add"),
        {"profile": vegan.pk, "reason": "Complaint"},
    )

    assert response.status_code == 302
    assert CareFlag.objects.get().set_by == admin_user
