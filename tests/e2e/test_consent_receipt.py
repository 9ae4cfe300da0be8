"""The receipt page offers the compact JWS beside the JSON, readable and accessible."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.consent.factories import published_purpose

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def purposes(db):
    return [published_purpose(key="personalization", position=0)]


def test_the_receipt_page_links_the_compact_jws(live_server, page: Page, purposes):
    page.goto(f"{live_server.url}/me/consents/")
    page.locator("#consent-personalization").get_by_role("button", name="Ja").click()
    expect(page.locator("#consent-personalization").get_by_role("status")).to_be_visible()
    page.goto(f"{live_server.url}/me/consents/")
    page.locator("a[href*='/me/consents/']:not([download])").first.click()
    page.wait_for_load_state()

    link = page.get_by_role("link", name="Derselbe Beleg als kompakte JWS", exact=False)
    expect(link).to_be_visible()
    answer = page.request.get(f"{live_server.url}{link.get_attribute('href')}")
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/jose"
    assert answer.text().count(".") == 2
    violations = [
        v["id"]
        for v in Axe().run(page).response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert violations == []
