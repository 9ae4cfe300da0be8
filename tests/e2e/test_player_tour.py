"""Every demo campaign, played to its result with and without JavaScript, screenshotting each
screen at phone and desktop width for reviewers (`make e2e`; folder: E2E_SCREENSHOTS_DIR)."""

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.tour import play_to_result, screenshot, seed_demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_every_demo_campaign_plays_to_its_result(
    live_server, browser: Browser, browser_context_args: dict, settings, javascript: bool
):
    settings.DEBUG = True  # serves the demo's pictures
    slugs = seed_demo()
    context = browser.new_context(**browser_context_args, java_script_enabled=javascript)
    page = context.new_page()
    mode = "js" if javascript else "no-js"
    page.goto(live_server.url)
    screenshot(page, f"00-home-{mode}")

    for index, slug in enumerate(slugs, 1):

        def look(kind: str, number: int, prefix: str = f"{index:02d}-{slug}") -> None:
            screenshot(page, f"{prefix}-{number:02d}-{kind}-{mode}")

        play_to_result(page, live_server.url, slug, on_screen=look)

        expect(page).to_have_url(f"{live_server.url}/c/{slug}/result/")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto(live_server.url)
    expect(page.locator(".campaign-card__played")).to_have_count(len(slugs))
    screenshot(page, f"99-home-played-{mode}")
    context.close()
