"""On a phone: an NPS answer is shown, asked for and kept, and "Done" leads on."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from apps.preferences.models import Declaration

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

START = "Los geht\N{RIGHT SINGLE QUOTATION MARK}s"
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def demo(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def shots() -> Path | None:
    """Where to put screenshots for a person to look at, if E2E_SHOTS names a folder."""
    folder = os.environ.get("E2E_SHOTS")
    if not folder:
        return None
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _shoot(page: Page, shots: Path | None, name: str) -> None:
    if shots is None:
        return
    page.screenshot(path=shots / f"{name}-390.png", full_page=True)
    phone = page.viewport_size
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=shots / f"{name}-1366.png", full_page=True)
    page.set_viewport_size(phone)


def test_an_nps_answer_is_kept_after_a_yes_and_done_leads_on(
    live_server, page: Page, demo, shots, console_errors: list[str]
):
    page.goto(f"{live_server.url}/c/weiterempfehlen/")
    page.get_by_role("button", name=START).click()
    page.get_by_label("9", exact=True).check()
    page.get_by_role("button", name="Fertig").click()

    told = page.locator("#learned-recommend_score")
    expect(told).to_contain_text("9 von 10")
    research = page.locator("#consent-research")
    research.get_by_role("button", name="Ja").click()
    # With scripts running the panel answers in place; a tap before they run posts the plain
    # form and the same words come back on the reloaded page.
    saved = page.get_by_role("status").filter(has_text="Deine Einwilligung ist gespeichert")
    expect(saved).to_be_visible()
    _shoot(page, shots, "result-nps")
    page.get_by_role("button", name="Fertig").click()

    expect(page).to_have_url(f"{live_server.url}/c/weiterempfehlen/done/")
    expect(page.locator("#kept")).to_contain_text("9 von 10")
    expect(page.get_by_role("heading", name="Als Nächstes")).to_be_visible()
    expect(page.locator(".next-campaign").get_by_role("link", name="Jetzt spielen")).to_be_visible()
    expect(page.locator(".done-points .wallet__number")).to_have_text("50")
    expect(page.locator(".reach-list li").first).to_be_visible()
    _shoot(page, shots, "done")

    page.locator("#kept").get_by_role("link", name="Meine Daten").click()
    expect(page.locator("#pref-recommend_score .pref-row__value")).to_have_text("9 von 10")
    assert Declaration.objects.get().value == 9

    page.goto(f"{live_server.url}/c/weiterempfehlen/done/")
    page.locator('button[name="language"][value="en"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for taking part!")
    expect(page.locator("#kept")).to_contain_text("9 of 10")
    expect(page.get_by_role("heading", name="What your points are good for")).to_be_visible()
    _shoot(page, shots, "done-en")
    assert console_errors == []
