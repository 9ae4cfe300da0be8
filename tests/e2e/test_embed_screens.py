"""The pages around embedding, in the browser: the campaign page's "Einbetten" panel copies a
snippet, and the demo shop (another host of the same server) loads the script with its
integrity and places the campaigns; screenshots of both at phone and desktop width."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, Route, expect

from apps.campaigns.models import Campaign
from tests.e2e.admin_sign_in import admin_sign_in
from tests.e2e.tour import DESKTOP, SCREENSHOTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _shot(page: Page, name: str, locator=None) -> None:
    if not SCREENSHOTS:
        return
    phone = page.viewport_size
    for size in (phone, DESKTOP):
        page.set_viewport_size(size)
        path = f"{SCREENSHOTS}/{name}-{size['width']}.png"
        if locator is None:
            page.screenshot(path=path, full_page=True)
        else:
            locator.screenshot(path=path)
    page.set_viewport_size(phone)


def _with_cors(route: Route) -> None:
    # The test server serves static files without the CORS header WhiteNoise sends in
    # production and under `runserver`; a brand's page needs it for the integrity check.
    response = route.fetch()
    route.fulfill(
        response=response, headers={**response.headers, "access-control-allow-origin": "*"}
    )


def test_the_embed_panel_copies_the_inline_snippet(page: Page, live_server, settings):
    from apps.privacy.roles import CAMPAIGN_MANAGER, roles_sync
    from tests.campaigns.factories import CampaignFactory
    from tests.factories import PASSWORD, StaffUserFactory

    settings.SITE_URL = live_server.url
    roles_sync()
    StaffUserFactory(username="kampagnen").groups.add(Group.objects.get(name=CAMPAIGN_MANAGER))
    campaign = CampaignFactory(slug="kaffee-typ", status=Campaign.Status.DRAFT)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    admin_sign_in(
        page,
        f"{live_server.url}/admin/campaigns/campaign/{campaign.pk}/change/",
        "kampagnen",
        PASSWORD,
    )
    panel = page.locator(".embed-panel")
    expect(panel.get_by_role("heading", name="Einbetten")).to_be_visible()
    expect(panel).to_contain_text("Der Code funktioniert, sobald die Kampagne live ist.")
    panel.get_by_role("button", name="Kopieren").first.click()
    expect(panel.get_by_role("status").first).to_have_text("Kopiert.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f'<script async src="{live_server.url}/static/embed/resonanz.js"')
    assert copied.endswith(
        '<resonanz-campaign data-campaign="kaffee-typ" data-lang="de"></resonanz-campaign>'
    )
    _shot(page, "admin-embed-panel", panel)


def test_the_demo_shop_loads_the_script_and_places_its_campaigns(page: Page, live_server, settings):
    from tests.e2e.tour import seed_demo

    settings.DEBUG = True  # the demo's own mode: seed_demo refuses to run without it
    settings.SITE_URL = live_server.url  # http://localhost:<port>: the shop is 127.0.0.1
    seed_demo()
    page.route("**/static/embed/resonanz.js", _with_cors)
    shop = live_server.url.replace("localhost", "127.0.0.1")

    page.goto(f"{shop}/demo/shop/")
    expect(page.get_by_role("heading", name="Diese Woche frisch geröstet")).to_be_visible()
    inline = page.locator('resonanz-campaign[data-campaign="snack-typ"] iframe')
    expect(inline).to_have_attribute(
        "src",
        f"{live_server.url}/embed/c/snack-typ/?host={shop.replace(':', '%3A').replace('/', '%2F')}&lang=de&theme-brand=%236f3b1e&theme-background=%23fbf6f0",
    )
    expect(page.get_by_role("button", name="Kaffee-Quiz: Punkte sammeln")).to_be_visible()
    _shot(page, "demo-shop")
    dialog = page.get_by_role("dialog", name="Frage des Tages")
    expect(dialog).to_be_visible(timeout=10_000)
    _shot(page, "demo-shop-popup")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
