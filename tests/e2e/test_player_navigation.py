"""Moving through a play in a phone's browser: reload, Back, coming back later, no JavaScript."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from apps.campaigns.models import Campaign
from tests.campaigns.factories import CampaignFactory, OptionFactory, QuestionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

START = "Los geht\N{RIGHT SINGLE QUOTATION MARK}s"
DESKTOP = {"width": 1366, "height": 900}
# Screenshots for a reviewer to look at, never committed.
SHOTS = Path(os.environ.get("E2E_SHOTS", "/tmp/e2e-shots"))


def _campaign(slug: str, *, questions: int = 5, **fields) -> Campaign:
    """A survey like the demo's: single-choice questions with two answers each."""
    campaign = CampaignFactory(
        slug=slug,
        kind=Campaign.Kind.SURVEY,
        title_de="Dein Snack-Alltag",
        intro_de="Fünf kurze Fragen.",
        **fields,
    )
    for position in range(1, questions + 1):
        question = QuestionFactory(
            campaign=campaign, position=position, text_de=f"Wie oft naschst du ({position})?"
        )
        for n, label in enumerate(("Oft", "Selten"), start=1):
            OptionFactory(question=question, position=n, label_de=f"{label} {position}")
    return campaign


def _shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _answer(page: Page, label: str) -> None:
    page.get_by_label(label, exact=True).check()
    page.get_by_role("button", name=re.compile("^(Weiter|Fertig)$")).click()


def test_reload_back_and_coming_back_later_keep_the_place(
    live_server, browser: Browser, browser_context_args: dict, page: Page, console_errors
):
    _campaign("alltag")
    page.goto(f"{live_server.url}/c/alltag/")
    page.get_by_role("button", name=START).click()

    _answer(page, "Oft 1")
    expect(page.get_by_text("Frage 2 von 5")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/c/alltag/q/2/$"))
    _answer(page, "Selten 2")
    expect(page.get_by_text("Frage 3 von 5")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/c/alltag/q/3/$"))

    page.reload()
    expect(page.get_by_text("Frage 3 von 5")).to_be_visible()

    page.go_back()
    expect(page.get_by_text("Frage 2 von 5")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/c/alltag/q/2/$"))
    expect(page.get_by_label("Selten 2", exact=True)).to_be_checked()
    expect(page.get_by_label("Oft 2", exact=True)).not_to_be_checked()
    _shoot(page, "back-390")
    page.set_viewport_size(DESKTOP)
    _shoot(page, "back-1366")
    page.set_viewport_size({"width": 390, "height": 844})

    page.get_by_role("link", name="Zurück").click()
    expect(page.get_by_text("Frage 1 von 5")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/c/alltag/q/1/$"))
    expect(page.get_by_label("Oft 1", exact=True)).to_be_checked()

    # Closing the browser and coming back days later: the session cookie is all it keeps.
    state = page.context.storage_state()
    page.context.close()
    later = browser.new_context(**browser_context_args, storage_state=state)
    again = later.new_page()
    again.goto(f"{live_server.url}/c/alltag/")
    expect(again.get_by_text("Weiter bei Frage 3 von 5.")).to_be_visible()
    _shoot(again, "resume-390")
    again.set_viewport_size(DESKTOP)
    _shoot(again, "resume-1366")
    again.get_by_role("button", name="Weiter").click()
    expect(again.get_by_text("Frage 3 von 5")).to_be_visible()
    expect(again).to_have_url(re.compile(r"/c/alltag/q/3/$"))
    later.close()
    assert console_errors == []


def test_the_first_question_takes_focus_without_a_box_around_it(
    live_server, page: Page, console_errors
):
    _campaign("alltag")
    page.goto(f"{live_server.url}/c/alltag/")
    page.get_by_role("button", name=START).click()

    heading = page.locator("#question-1")
    expect(heading).to_be_focused()
    assert heading.evaluate("element => getComputedStyle(element).outlineStyle") == "none"
    _shoot(page, "first-question-390")
    page.set_viewport_size(DESKTOP)
    _shoot(page, "first-question-1366")

    # After the swap, the next question's heading takes focus as well, for screen readers.
    _answer(page, "Oft 1")
    expect(page.locator("#question-2")).to_be_focused()
    assert console_errors == []


def test_a_skipped_ahead_address_leads_to_the_open_question(live_server, page: Page):
    _campaign("alltag")
    page.goto(f"{live_server.url}/c/alltag/")
    page.get_by_role("button", name=START).click()

    page.goto(f"{live_server.url}/c/alltag/q/4/")

    expect(page).to_have_url(re.compile(r"/c/alltag/q/1/$"))
    expect(page.get_by_text("Frage 1 von 5")).to_be_visible()


def test_without_javascript_the_play_goes_to_the_end_and_back_works(
    live_server, browser: Browser, browser_context_args: dict
):
    _campaign("alltag")
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/c/alltag/")
    page.get_by_role("button", name=START).click()

    _answer(page, "Oft 1")
    _answer(page, "Selten 2")
    page.go_back()
    expect(page.get_by_text("Frage 2 von 5")).to_be_visible()
    expect(page.get_by_label("Selten 2", exact=True)).to_be_checked()
    page.go_forward()
    expect(page.get_by_text("Frage 3 von 5")).to_be_visible()
    for number in (3, 4, 5):
        _answer(page, f"Oft {number}")

    expect(page).to_have_url(re.compile(r"/c/alltag/result/$"))
    context.close()


def test_auto_advance_moves_on_a_moment_after_choosing(live_server, page: Page, console_errors):
    _campaign("alltag", questions=3, auto_advance=True)
    page.goto(f"{live_server.url}/c/alltag/")
    page.get_by_role("button", name=START).click()

    page.get_by_label("Oft 1", exact=True).check()
    expect(page.get_by_text("Frage 2 von 3")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/c/alltag/q/2/$"))
    page.get_by_label("Selten 2", exact=True).check()
    expect(page.get_by_text("Frage 3 von 3")).to_be_visible()

    # The last answer finishes the play only with a tap on "Fertig".
    page.get_by_label("Oft 3", exact=True).check()
    page.wait_for_timeout(1200)
    expect(page.get_by_text("Frage 3 von 3")).to_be_visible()
    page.get_by_role("button", name="Fertig").click()
    expect(page).to_have_url(re.compile(r"/c/alltag/result/$"))
    assert console_errors == []


def test_choosing_then_pressing_next_at_once_sends_the_answer_once(
    live_server, page: Page, console_errors
):
    _campaign("alltag", questions=3, auto_advance=True)
    page.goto(f"{live_server.url}/c/alltag/")
    page.get_by_role("button", name=START).click()

    _answer(page, "Oft 1")
    expect(page.get_by_text("Frage 2 von 3")).to_be_visible()
    page.wait_for_timeout(1200)

    expect(page.get_by_text("Frage 2 von 3")).to_be_visible()
    assert console_errors == []


def test_arrow_keys_walk_through_the_answers_without_moving_on(live_server, page: Page):
    _campaign("alltag", questions=3, auto_advance=True)
    page.goto(f"{live_server.url}/c/alltag/")
    page.get_by_role("button", name=START).click()

    page.get_by_label("Oft 1", exact=True).focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(1200)

    expect(page.get_by_label("Selten 1", exact=True)).to_be_checked()
    expect(page.get_by_text("Frage 1 von 3")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Frage 2 von 3")).to_be_visible()
