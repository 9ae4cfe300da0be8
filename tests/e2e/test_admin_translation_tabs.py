import os

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from tests.campaigns.factories import CampaignFactory
from tests.e2e.admin_sign_in import admin_sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "translation-tabs-e2e"


def test_staff_switch_a_campaign_text_between_languages_in_tabs(
    live_server, page: Page, console_errors: list[str]
):
    campaign = CampaignFactory(title_de="Welcher Snack-Typ bist du?", title_en="Which snack type?")
    get_user_model().objects.create_superuser(username="brand", password=PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 900})
    # Admin pages link no icon; the browser's guess would log a 404 as a console error.
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    change = f"/admin/campaigns/campaign/{campaign.pk}/change/"
    admin_sign_in(page, f"{live_server.url}/admin/login/?next={change}", "brand", PASSWORD)

    german, english = page.locator("#id_title_de"), page.locator("#id_title_en")
    expect(german).to_be_visible()
    expect(english).to_be_hidden()
    page.locator(".ui-tabs-nav a[href$='title_en']").first.click()
    expect(english).to_be_visible()
    expect(english).to_have_value("Which snack type?")
    expect(german).to_be_hidden()
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=f"{os.environ['SCREENSHOT_DIR']}/admin-translation-tabs.png")
    # A script the strict CSP blocked, or one not found, would show here.
    assert console_errors == []
