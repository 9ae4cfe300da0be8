"""Trivia feedback on the screen of the answer, and scales that fit a phone on one row."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

START = "Los geht\N{RIGHT SINGLE QUOTATION MARK}s"
DESKTOP = {"width": 1366, "height": 900}
SHOTS = Path("/tmp/shots-h2")


@pytest.fixture
def demo(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def two_right_answers():
    """A quiz whose last question has a right answer, so it gets feedback too."""
    from tests.campaigns.factories import CampaignFactory, OptionFactory, QuestionFactory

    campaign = CampaignFactory(slug="kurz", title_de="Kurzes Quiz")
    for position, (right, wrong) in enumerate((("Rot", "Blau"), ("Elf", "Zwölf")), start=1):
        question = QuestionFactory(
            campaign=campaign,
            position=position,
            text_de=f"Frage Nummer {position}?",
            explanation_de=f"Erklärung zu Frage {position}.",
        )
        OptionFactory(question=question, position=1, label_de=right, is_correct=True)
        OptionFactory(question=question, position=2, label_de=wrong)
    return campaign


def _shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_wrong_answer_shows_the_right_one_and_the_explanation_then_moves_on(
    live_server, page: Page, demo, console_errors: list[str]
):
    page.goto(f"{live_server.url}/c/snack-wissen/")
    page.get_by_role("button", name=START).click()

    page.get_by_label("Reis", exact=True).check()
    page.get_by_role("button", name="Weiter").click()

    verdict = page.locator(".verdict")
    expect(verdict).to_contain_text("Nicht ganz.")
    expect(verdict).to_contain_text("Deine Antwort: Reis")
    expect(verdict).to_contain_text("Richtige Antwort: Mais")
    expect(verdict).to_contain_text("Puffmais")
    expect(page.get_by_text("Frage 1 von 3")).to_be_visible()
    expect(page.get_by_label("Mais", exact=True)).to_have_count(0)
    _shoot(page, "feedback-wrong-390")
    page.reload()
    expect(page.locator(".verdict")).to_contain_text("Richtige Antwort: Mais")

    page.get_by_role("link", name="Weiter").click()
    expect(page.get_by_text("Frage 2 von 3")).to_be_visible()
    page.get_by_label("Großbritannien", exact=True).check()
    page.get_by_role("button", name="Weiter").click()
    expect(page.locator(".verdict")).to_contain_text("Richtig!")
    _shoot(page, "feedback-right-390")
    assert console_errors == []


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_last_question_gets_feedback_and_then_leads_to_the_result(
    live_server, browser: Browser, browser_context_args: dict, two_right_answers, javascript
):
    context = browser.new_context(**browser_context_args, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{live_server.url}/c/kurz/")
    page.get_by_role("button", name=START).click()

    page.get_by_label("Rot", exact=True).check()
    page.get_by_role("button", name="Weiter").click()
    expect(page.locator(".verdict")).to_contain_text("Richtig!")
    page.get_by_role("link", name="Weiter").click()
    page.get_by_label("Zwölf", exact=True).check()
    page.get_by_role("button", name="Fertig").click()

    verdict = page.locator(".verdict")
    expect(verdict).to_contain_text("Nicht ganz.")
    expect(verdict).to_contain_text("Richtige Antwort: Elf")
    expect(verdict).to_contain_text("Erklärung zu Frage 2.")
    page.get_by_role("link", name="Zum Ergebnis").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("1 von 2 richtig")
    context.close()


@pytest.mark.parametrize("width", [390, 360])
def test_nps_fits_one_row_with_its_end_labels(live_server, page: Page, demo, width):
    page.set_viewport_size({"width": width, "height": 844})
    page.goto(f"{live_server.url}/c/weiterempfehlen/")
    page.get_by_role("button", name=START).click()

    values = page.locator(".scale__value")
    expect(values).to_have_count(11)
    zero, ten = values.first.bounding_box(), values.last.bounding_box()
    assert zero["y"] == ten["y"]
    assert ten["x"] + ten["width"] <= width
    assert zero["width"] >= 24  # still a target a thumb can hit
    expect(page.get_by_text("gar nicht wahrscheinlich")).to_be_visible()
    expect(page.get_by_text("äußerst wahrscheinlich")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    _shoot(page, f"nps-{width}")


def test_feedback_and_nps_in_english_at_desktop_size(live_server, page: Page, demo):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/c/snack-wissen/")
    page.get_by_role("button", name="Start").click()
    page.get_by_label("Wheat", exact=True).check()
    page.get_by_role("button", name="Next").click()
    verdict = page.locator(".verdict")
    expect(verdict).to_contain_text("Not quite.")
    expect(verdict).to_contain_text("The right answer: Corn")
    expect(verdict).to_contain_text("popcorn maize")
    _shoot(page, "feedback-wrong-en-1366")

    page.goto(f"{live_server.url}/c/weiterempfehlen/")
    page.get_by_role("button", name="Start").click()
    values = page.locator(".scale__value")
    assert values.first.bounding_box()["y"] == values.last.bounding_box()["y"]
    expect(page.get_by_text("not at all likely")).to_be_visible()
    expect(page.get_by_text("extremely likely")).to_be_visible()
    _shoot(page, "nps-en-1366")
