"""A first no is a refusal, a no after a yes a withdrawal, and both name the place by title.

Set SCREENSHOTS_DIR to keep screenshots of the pages at phone and desktop width.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from apps.consent.models import ConsentEvent

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

START = "Los geht\N{RIGHT SINGLE QUOTATION MARK}s"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)


def _shoot(page: Page, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for label, size in (("390", PHONE), ("1366", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=f"{folder}/{name}-{label}.png", full_page=True)
    page.set_viewport_size(PHONE)


def _history(page: Page):
    return page.locator("section[aria-labelledby=history-heading] .history__item")


def _play_snack_type_and_refuse(page: Page, url: str) -> None:
    page.goto(f"{url}/c/snack-typ/")
    page.get_by_role("button", name=START).click()
    for answer in ("Chips und Action", "Alles", "Sportlich"):
        page.get_by_label(answer, exact=True).check()
        page.get_by_role("button", name=re.compile("^(Weiter|Fertig)$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Der Knusper-Fan")
    row = page.locator("#consent-personalization")
    row.get_by_role("button", name="Nein").click()
    expect(row.get_by_role("status")).to_be_visible()


def test_a_refusal_on_a_result_page_then_a_withdrawal_read_as_such(
    live_server, page: Page, demo, console_errors: list[str]
):
    _play_snack_type_and_refuse(page, live_server.url)

    page.goto(f"{live_server.url}/me/consents/")
    refusal = _history(page).first
    expect(refusal).to_contain_text("Abgelehnt")
    expect(refusal).to_contain_text("Welcher Snack-Typ bist du?")
    expect(refusal).not_to_contain_text("campaign:")

    row = page.locator("#consent-personalization")
    row.get_by_role("button", name="Ja").click()
    expect(row.get_by_role("status")).to_have_text("Danke. Deine Einwilligung ist gespeichert.")
    row.get_by_role("button", name="Nein").click()
    expect(row.get_by_role("status")).to_contain_text("widerrufen")

    page.reload()
    expect(_history(page).first).to_contain_text("Widerrufen")
    expect(_history(page).first).to_contain_text("Deine Datenschutz-Einstellungen")
    expect(_history(page).last).to_contain_text("Abgelehnt")
    expect(page.locator("main")).not_to_contain_text("campaign:snack-typ")
    _shoot(page, "consents-de")

    latest = ConsentEvent.objects.filter(purpose__key="personalization").order_by("-pk")[:3]
    assert [event.action for event in reversed(latest)] == ["refuse", "grant", "withdraw"]

    _history(page).last.get_by_role("link", name="Beleg", exact=True).click()
    expect(page.locator(".receipt")).to_contain_text("Abgelehnt")
    expect(page.locator(".receipt")).to_contain_text("Welcher Snack-Typ bist du?")
    _shoot(page, "receipt-de")

    page.goto(f"{live_server.url}/me/points/")
    expect(page.locator(".ledger")).to_contain_text("Gesammelt: Quiz abgeschlossen")
    _shoot(page, "points-de")
    assert console_errors == []


def test_the_history_reads_in_english_too(live_server, page: Page, demo):
    _play_snack_type_and_refuse(page, live_server.url)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])

    page.goto(f"{live_server.url}/me/consents/")

    expect(_history(page).first).to_contain_text("Refused")
    expect(_history(page).first).to_contain_text("Which snack type are you?")
    expect(page.locator("main")).not_to_contain_text("Abgelehnt")
    _shoot(page, "consents-en")
    page.goto(f"{live_server.url}/me/points/")
    expect(page.locator(".ledger")).to_contain_text("Earned: Quiz completed")
    _shoot(page, "points-en")
