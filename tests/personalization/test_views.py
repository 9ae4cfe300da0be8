import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from apps.personalization.models import OFFERS_NOT_INTERESTED
from apps.personalization.services import offer_choice_sync, offer_dismiss
from apps.preferences.models import Declaration, Source
from tests.personalization.conftest import declare
from tests.profiles.factories import ProfileFactory
from tests.profiles.helpers import browse_as

pytestmark = pytest.mark.django_db


def _strict_browser(profile) -> Client:
    client = browse_as(Client(enforce_csrf_checks=True), profile)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.fixture
def vegan(catalogue):
    profile = ProfileFactory()
    declare(profile, catalogue["diet"], "vegan")
    offer_choice_sync()
    return profile


def test_not_interested_from_the_page_declares_it(vegan):
    client = _strict_browser(vegan)
    page = client.get(reverse("personalization:for-you")).content.decode()
    url = reverse("personalization:dismiss", args=["vegan-box"])

    refused = client.post(url)
    response = client.post(url, {"csrfmiddlewaretoken": _csrf_token(page)}, follow=True)

    assert refused.status_code == 403
    html = response.content.decode()
    assert "we will not show you this again" in html
    assert 'id="offer-vegan-box"' not in html
    declaration = Declaration.objects.get(profile=vegan, attribute__key=OFFERS_NOT_INTERESTED)
    assert (declaration.value, declaration.source) == (["vegan-box"], Source.OFFER_FEEDBACK)


def test_not_interested_without_personalization_says_so_and_stores_nothing(client, catalogue):
    profile = ProfileFactory()
    browse_as(client, profile)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(reverse("personalization:dismiss", args=["vegan-box"]), follow=True)

    assert response.status_code == 200
    assert "first agree to" in response.content.decode()
    assert not Declaration.objects.exists()


def test_not_interested_without_a_profile_creates_nothing(client, catalogue):
    from apps.profiles.models import Profile

    response = client.post(reverse("personalization:dismiss", args=["vegan-box"]), follow=True)

    assert response.status_code == 200
    assert "Mach zuerst bei einer Aktion mit" in response.content.decode()
    assert not Profile.objects.exists()


def test_the_preference_center_lists_the_decline_with_its_provenance(vegan, catalogue):
    offer_dismiss(profile=vegan, offer=catalogue["vegan-box"])
    offer_dismiss(profile=vegan, offer=catalogue["meat-box"])
    client = _strict_browser(vegan)

    html = client.get(reverse("preferences:center")).content.decode()

    row = html[html.index(f'id="pref-{OFFERS_NOT_INTERESTED}"') :]
    row = row[: row.index("</li>")]
    assert "Offers you are not interested in" in row
    assert "meat-box, vegan-box" in row
    assert "When you said “not interested” to “meat-box” on" in row
    assert "Delete" in row
    assert "Change" in row


def test_deleting_the_decline_in_the_preference_center_brings_the_offer_back(vegan, catalogue):
    declaration = offer_dismiss(profile=vegan, offer=catalogue["vegan-box"])
    client = _strict_browser(vegan)
    page = client.get(reverse("preferences:center")).content.decode()

    client.post(
        reverse("preferences:delete", args=[declaration.pk]),
        {"csrfmiddlewaretoken": _csrf_token(page)},
    )

    html = client.get(reverse("personalization:for-you")).content.decode()
    assert 'id="offer-vegan-box"' in html
