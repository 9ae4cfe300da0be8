from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.admin_sign_in import admin_sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PROGRAM = "/admin/insights/dashboard/program/"
CAMPAIGN = "/admin/insights/dashboard/campaign/"


@pytest.fixture
def played_survey(purpose):
    from django.contrib.auth.models import Group

    from apps.insights.periods import site_today
    from apps.insights.services import rollups_refresh
    from apps.privacy.roles import ANALYST, roles_sync
    from tests.factories import PASSWORD
    from tests.insights.conftest import build_survey, staff_with

    survey = build_survey(day=site_today(), purpose=purpose)
    rollups_refresh()
    # A transactional test before this one may have flushed the groups the migration made.
    roles_sync()
    staff_with("analyst").groups.add(Group.objects.get(name=ANALYST))
    return survey, PASSWORD


def _log_in(page: Page, live_server, password: str, next_path: str) -> None:
    # Admin pages link no icon; the browser's guess would log a 404 as a console error.
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    admin_sign_in(page, f"{live_server.url}/admin/login/?next={next_path}", "analyst", password)


def test_the_analyst_reads_both_dashboards(
    live_server, page: Page, played_survey, console_errors: list[str], tmp_path: Path
):
    survey, password = played_survey
    page.set_viewport_size({"width": 1280, "height": 900})
    _log_in(page, live_server, password, PROGRAM)

    charts = page.locator("svg.insights-chart__svg[role=img]")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 6
    assert page.locator("svg[role=img] > title").count() == charts.count()
    # The data table of a chart opens without any script.
    details = page.locator("details.insights-chart__data").first
    details.locator("summary").click()
    expect(details.locator("table")).to_be_visible()
    page.screenshot(path=tmp_path / "program.png", full_page=True)

    page.locator("nav.insights-tabs a").nth(1).click()
    expect(page.locator("#id_campaign")).to_be_visible()
    # htmx (a deferred script) takes over the form once the page has loaded.
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.htmx !== undefined")
    # With htmx, choosing a campaign swaps in its dashboard and updates the address.
    page.locator("#id_campaign").select_option(str(survey.campaign.pk))
    expect(page.locator(".insights-panel h2")).to_have_text(survey.campaign.title)
    assert f"campaign={survey.campaign.pk}" in page.url
    expect(page.locator(f"#chart-c{survey.campaign.pk}-funnel-title")).to_be_attached()
    page.screenshot(path=tmp_path / "campaign.png", full_page=True)

    assert (tmp_path / "program.png").stat().st_size > 10_000
    assert (tmp_path / "campaign.png").stat().st_size > 10_000
    assert console_errors == []


def test_the_filters_work_without_javascript(
    live_server, browser: Browser, browser_context_args: dict, played_survey, tmp_path: Path
):
    survey, password = played_survey
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    _log_in(page, live_server, password, CAMPAIGN)

    page.locator("#id_campaign").select_option(str(survey.campaign.pk))
    page.locator(".insights-filters button[type=submit]").click()

    expect(page.locator(".insights-panel h2")).to_have_text(survey.campaign.title)
    details = page.locator("details.insights-chart__data").first
    details.locator("summary").click()
    expect(details.locator("table")).to_be_visible()
    page.screenshot(path=tmp_path / "campaign-no-js.png", full_page=True)
    context.close()
