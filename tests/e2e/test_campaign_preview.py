"""The campaign manager tries a draft in the preview beside the form, as their test customer,
to the end; the program dashboard does not move."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.admin_sign_in import admin_sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

START = "Los geht\N{RIGHT SINGLE QUOTATION MARK}s"
PROGRAM = "/admin/insights/dashboard/program/"
DESKTOP = {"width": 1366, "height": 900}
TEST_MODE = "Testmodus \N{EN DASH} zählt nicht"
TEST_MODE_EN = "Test mode \N{EN DASH} does not count"


@pytest.fixture
def setting(purpose):
    from django.contrib.auth.models import Group

    from apps.campaigns.models import Campaign
    from apps.insights.periods import site_today
    from apps.insights.services import rollups_refresh
    from apps.privacy.roles import ANALYST, CAMPAIGN_MANAGER, roles_sync
    from tests.campaigns.factories import CampaignFactory, OptionFactory, QuestionFactory
    from tests.factories import PASSWORD, StaffUserFactory
    from tests.insights.conftest import build_survey
    from tests.loyalty.factories import EarningRuleFactory

    build_survey(day=site_today(), purpose=purpose)
    EarningRuleFactory(points=50)
    rollups_refresh()
    # A transactional test before this one may have flushed the groups the migration made.
    roles_sync()
    StaffUserFactory(username="kampagnen").groups.add(Group.objects.get(name=CAMPAIGN_MANAGER))
    StaffUserFactory(username="analyse").groups.add(Group.objects.get(name=ANALYST))
    draft = CampaignFactory(
        slug="fruehstueck",
        kind=Campaign.Kind.POLL,
        status=Campaign.Status.DRAFT,
        title_de="Frühstück",
        title_en="Breakfast",
    )
    for position, (german, english) in enumerate(
        [(("Süß", "Sweet"), ("Herzhaft", "Savoury")), (("Kaffee", "Coffee"), ("Tee", "Tea"))],
        start=1,
    ):
        question = QuestionFactory(campaign=draft, position=position)
        for number, (label_de, label_en) in enumerate((german, english), start=1):
            OptionFactory(question=question, position=number, label_de=label_de, label_en=label_en)
    return draft, PASSWORD


def _shoot(page: Page, name: str) -> None:
    """For reviewers: `make e2e` names the folder (E2E_SCREENSHOTS_DIR), as the tour does."""
    folder = os.environ.get("E2E_SCREENSHOTS_DIR") or os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"{name}.png")


def _log_in(page: Page, live_server, username: str, password: str, next_path: str) -> None:
    # Admin pages link no icon; the browser's guess would log a 404 as a console error.
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    admin_sign_in(page, f"{live_server.url}/admin/login/?next={next_path}", username, password)


def _key_figures(browser: Browser, browser_context_args: dict, live_server, password) -> str:
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    _log_in(page, live_server, "analyse", password, PROGRAM)
    figures = page.locator("#content table").first
    expect(figures).to_be_visible()
    text = figures.inner_text()
    context.close()
    return text


def test_the_campaign_manager_plays_a_draft_in_the_preview_and_no_figure_moves(
    live_server,
    page: Page,
    browser: Browser,
    browser_context_args: dict,
    setting,
    console_errors: list[str],
):
    from apps.campaigns.models import OptionTally, Participation
    from apps.insights.services import rollups_refresh

    draft, password = setting
    before = _key_figures(browser, browser_context_args, live_server, password)
    page.set_viewport_size(DESKTOP)
    _log_in(
        page, live_server, "kampagnen", password, f"/admin/campaigns/campaign/{draft.pk}/change/"
    )

    frame_element = page.locator("iframe[name=campaign-preview]")
    expect(frame_element).to_be_visible()
    box = frame_element.bounding_box()
    assert box["width"] == pytest.approx(390, abs=2)
    # Beside the form, not below it.
    assert box["x"] > page.locator("#campaign_form").bounding_box()["x"] + 500
    preview = page.frame_locator("iframe[name=campaign-preview]")
    expect(preview.get_by_text(TEST_MODE)).to_be_visible()
    expect(preview.get_by_role("heading", name="Frühstück")).to_be_visible()
    _shoot(page, "admin-campaign-preview-1366")

    preview.get_by_role("button", name=START).click()
    for choice in ("Herzhaft", "Tee"):
        preview.get_by_label(choice, exact=True).check()
        preview.locator(".player button[type=submit]").last.click()
    # The result, then "Fertig" (keep the answers), then the page after it: all in the frame.
    done = preview.locator("form[action='/preview/de/c/fruehstueck/finish/'] button")
    expect(done).to_be_visible()
    done.click()
    expect(done).to_have_count(0)
    expect(preview.get_by_role("heading", name="Danke fürs Mitmachen!")).to_be_visible()
    expect(preview.get_by_text(TEST_MODE)).to_be_visible()
    _shoot(page, "admin-campaign-preview-done-1366")

    # The English preview is one click away, in the same frame.
    page.get_by_role("link", name="English").click()
    expect(preview.get_by_text(TEST_MODE_EN)).to_be_visible()

    # On a phone the preview follows the form, no wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    frame_element.scroll_into_view_if_needed()
    box = frame_element.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390
    _shoot(page, "admin-campaign-preview-390")

    play = Participation.objects.get(campaign=draft)
    assert play.is_completed
    assert play.profile.is_test
    assert not OptionTally.objects.filter(option__question__campaign=draft, count__gt=0).exists()
    rollups_refresh()
    assert _key_figures(browser, browser_context_args, live_server, password) == before
    assert console_errors == []
