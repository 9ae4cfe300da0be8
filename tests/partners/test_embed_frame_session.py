"""A frame in a browser that keeps no cookie at all: the session travels in the address, and
only along navigations from our own pages."""

import re

import pytest
from django.test import Client

from apps.partners.models import EmbedOrigin
from tests.campaigns.factories import CampaignFactory, OptionFactory, QuestionFactory
from tests.partners.factories import PartnerClientFactory

pytestmark = pytest.mark.django_db

SHOP = "https://shop.example"
FROM_SHOP = {"Sec-Fetch-Dest": "iframe", "Sec-Fetch-Site": "cross-site", "Referer": f"{SHOP}/"}
FROM_OURS = {"Sec-Fetch-Dest": "iframe", "Sec-Fetch-Site": "same-origin"}


class CookielessClient(Client):
    """A browser that keeps no cookie in a frame: nothing it was sent comes back."""

    def request(self, **request):
        self.cookies.clear()
        return super().request(**request)


@pytest.fixture(autouse=True)
def quiz():
    EmbedOrigin.objects.create(partner=PartnerClientFactory(), origin=SHOP)
    campaign = CampaignFactory(slug="snack-quiz")
    question = QuestionFactory(campaign=campaign, position=1)
    OptionFactory(question=question)
    return campaign


def _session_address(browser: Client) -> str:
    """Through the entry and its cookie check to the address that carries the session."""
    entry = browser.get("/embed/c/snack-quiz/", {"host": SHOP}, headers=FROM_SHOP)
    check = browser.get(entry["Location"], headers=FROM_SHOP)
    assert check.status_code == 200
    return re.search(r'url=(/embed/s/[^/"]+/c/snack-quiz/)"', check.content.decode())[1]


def test_a_browser_without_cookies_plays_with_the_session_in_the_address():
    browser = CookielessClient(enforce_csrf_checks=True)
    address = _session_address(browser)
    prefix = address.removesuffix("c/snack-quiz/")

    page = browser.get(address, headers=FROM_OURS)
    html = page.content.decode()
    assert f'data-embed-host="{SHOP}"' in html
    assert f'action="{prefix}c/snack-quiz/start/"' in html

    started = browser.post(f"{prefix}c/snack-quiz/start/", headers=FROM_OURS)
    assert started.status_code == 302
    # Remembering the new player gave the session a new key: the address names it.
    assert re.match(r"^/embed/s/[^/]+/c/snack-quiz/q/1/", started["Location"])
    assert not started["Location"].startswith(prefix)
    question = browser.get(started["Location"], headers=FROM_OURS)
    assert question.status_code == 200
    assert 'name="option"' in question.content.decode()


def test_a_session_address_opened_from_another_site_is_not_used():
    address = _session_address(CookielessClient())

    victim = Client().get(address, headers=FROM_SHOP)

    html = victim.content.decode()
    assert victim.status_code == 200
    assert 'data-embed-host=""' in html
    assert "/embed/s/" not in html


def test_a_session_address_without_fetch_metadata_is_not_used():
    address = _session_address(CookielessClient())

    html = Client().get(address).content.decode()

    assert "/embed/s/" not in html


def test_a_browser_that_keeps_its_cookie_never_uses_the_address(client):
    entry = client.get("/embed/c/snack-quiz/", {"host": SHOP}, headers=FROM_SHOP)

    check = client.get(entry["Location"], headers=FROM_SHOP)

    assert check.status_code == 303
    assert check["Location"] == "/embed/c/snack-quiz/"
    assert "/embed/s/" not in client.get(check["Location"]).content.decode()


def test_a_forged_session_address_is_ignored(client):
    response = client.get("/embed/s/abc.forged/c/snack-quiz/", headers=FROM_OURS)

    assert response.status_code == 200
    assert "/embed/s/" not in response.content.decode()


def test_a_forged_cookie_check_goes_on_without_it(client):
    response = client.get("/embed/c/snack-quiz/", {"embed-session": "x.y"}, headers=FROM_OURS)

    assert response.status_code == 303
    assert response["Location"] == "/embed/c/snack-quiz/"


def test_the_cookie_check_opened_as_a_page_leads_into_no_session():
    entry = CookielessClient().get("/embed/c/snack-quiz/", {"host": SHOP}, headers=FROM_SHOP)

    opened = Client().get(entry["Location"], headers={"Sec-Fetch-Dest": "document"})

    assert opened.status_code == 303
    assert opened["Location"] == "/embed/c/snack-quiz/"


def test_only_an_allowed_site_may_frame_the_step_into_the_session_address():
    entry = CookielessClient().get("/embed/c/snack-quiz/", {"host": SHOP}, headers=FROM_SHOP)

    check = Client().get(entry["Location"], headers=FROM_SHOP)

    assert check.status_code == 200
    assert f"frame-ancestors {SHOP}" in check["Content-Security-Policy"]
    assert "X-Frame-Options" not in check


def test_no_page_shows_one_visitors_session_address_to_another():
    first = CookielessClient()
    first_prefix = _session_address(first).removesuffix("c/snack-quiz/")
    first.get(f"{first_prefix}c/snack-quiz/", headers=FROM_OURS)
    second = CookielessClient()
    second_prefix = _session_address(second).removesuffix("c/snack-quiz/")

    html = second.get(f"{second_prefix}c/snack-quiz/", headers=FROM_OURS).content.decode()

    assert first_prefix != second_prefix
    assert first_prefix not in html
    assert f'href="{second_prefix}me/"' in html
