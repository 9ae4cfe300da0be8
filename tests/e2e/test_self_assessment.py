import os

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

START = "Los geht\N{RIGHT SINGLE QUOTATION MARK}s"
SHOTS = os.environ.get("E2E_SHOTS_DIR", "")
# Two statements per area rated 4 and one 2: every area averages 3,3 ("Fortgeschritten").
RATINGS = [4, 4, 2] * 5


@pytest.fixture
def demo(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)


def _shoot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_the_marketing_confidence_quotient_shows_bars_bands_and_next_steps_on_a_phone(
    live_server, page: Page, demo, console_errors: list[str]
):
    page.goto(f"{live_server.url}/c/marketing-confidence-quotient/")
    page.get_by_role("button", name=START).click()
    for number, rating in enumerate(RATINGS, 1):
        expect(page.get_by_text(f"Frage {number} von 16")).to_be_visible()
        page.locator(".scale__value").filter(has_text=str(rating)).click()
        page.get_by_role("button", name="Weiter").click()
    expect(page.get_by_text("Frage 16 von 16")).to_be_visible()
    page.get_by_label("Ja, gern: meldet euch bei mir", exact=True).check()
    page.get_by_role("button", name="Fertig").click()

    result = page.locator(".assessment")
    expect(result.get_by_role("heading", name="Strategie")).to_be_visible()
    expect(result.locator(".assessment__item")).to_have_count(6)
    expect(result.get_by_text("Fortgeschritten")).to_have_count(6)
    expect(result.get_by_text("Führt ein kurzes wöchentliches Treffen")).to_be_visible()
    expect(
        result.get_by_text("Du liegst über dem Durchschnitt von 43 Teilnehmenden")
    ).to_be_visible()
    track = result.locator(".assessment__bar").first.bounding_box()
    assert track is not None
    for bar in result.locator(".assessment__fill").all():
        box = bar.bounding_box()
        assert box is not None
        # 3,3 of 5 fills two thirds of the track.
        assert box["width"] == pytest.approx(track["width"] * 0.66, abs=2)
        assert box["height"] > 0
    # The expert talk is a lead only with consent: it waits in "What you told us".
    expect(page.get_by_text("Gespräch mit einer Expertin gewünscht")).to_be_visible()
    expect(page.locator("#consent-sales_contact")).to_be_visible()
    _shoot(page, "self-assessment-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    _shoot(page, "self-assessment-1366")
    assert console_errors == []


def test_the_result_reads_in_english(live_server, page: Page, demo):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/c/kundenfokus-check/")
    page.get_by_role("button", name="Start").click()
    for number in range(1, 6):
        expect(page.get_by_text(f"Question {number} of 5")).to_be_visible()
        page.locator(".scale__value").filter(has_text="5").click()
        page.get_by_role("button", name="Next").or_(
            page.get_by_role("button", name="Finish")
        ).click()

    result = page.locator(".assessment")
    expect(result.get_by_role("heading", name="Listening")).to_be_visible()
    expect(result.get_by_text("Exemplary")).to_have_count(6)
    expect(result.get_by_text("appears once five people have taken part")).to_be_visible()
    _shoot(page, "self-assessment-en-390")
