"""The demo as `make run` opens it: a program dashboard with every key figure shown and
explained, a poll result of many votes and a full leaderboard, at phone and desktop width
(screenshots in E2E_SCREENSHOTS_DIR). Seeded with 300 customers instead of 3000, for speed."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.admin_sign_in import admin_sign_in
from tests.e2e.tour import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

START = "Los geht\N{RIGHT SINGLE QUOTATION MARK}s"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
HIDDEN = "weniger als 5"


@pytest.fixture
def lived_in(settings):
    from django.core.management import call_command

    from apps.privacy.roles import roles_sync

    settings.DEBUG = True
    # A transactional test before this one may have flushed the groups the migration made.
    roles_sync()
    call_command("seed_demo", population=300, verbosity=0)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_the_program_dashboard_opens_on_figures_that_agree(
    live_server, page: Page, lived_in, viewport, console_errors: list[str]
):
    from apps.core.demo import DEMO_STAFF_PASSWORD, DEMO_STAFF_USERNAME

    page.set_viewport_size(viewport)
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    admin_sign_in(
        page,
        f"{live_server.url}/admin/login/?next=/admin/insights/dashboard/program/",
        DEMO_STAFF_USERNAME,
        DEMO_STAFF_PASSWORD,
    )

    figures = page.locator(".insights-table table").first
    expect(figures.locator("caption")).to_have_text("Kennzahlen")
    expect(figures.locator("thead th")).to_have_text(["Kennzahl", "Wert"])
    rows = figures.locator("tbody tr")
    assert rows.count() == 9
    for index in range(rows.count()):
        row = rows.nth(index)
        assert row.locator("td").inner_text() != HIDDEN
        # What the figure counts, in one line under its name.
        assert row.locator("th .insights-table__note").inner_text()
    # Every table says what it counts.
    assert page.locator(".insights-table__description").count() >= 3
    if viewport == PHONE:
        screenshot(page, "demo-program-dashboard")
    assert console_errors == []


def test_a_poll_result_and_the_leaderboard_show_many_people(
    live_server, page: Page, lived_in, console_errors: list[str]
):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/c/sommer-sorte/")
    page.get_by_role("button", name=START).click()
    page.get_by_label("Mango-Chili", exact=True).check()
    page.locator(".player button[type=submit]").last.click()

    expect(page.get_by_role("heading", name="So haben alle abgestimmt")).to_be_visible()
    total = page.get_by_text("Stimmen insgesamt")
    expect(total).to_be_visible()
    assert int(total.inner_text().split()[0].replace(".", "")) > 100
    screenshot(page, "demo-poll-result")

    page.goto(f"{live_server.url}/challenges/quiz-monat/leaderboard/")
    entries = page.locator("table.leaderboard tbody tr")
    expect(entries.first).to_be_visible()
    assert entries.count() >= 5
    screenshot(page, "demo-leaderboard")
    assert console_errors == []
