import os
import re

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

START = "Los geht\N{RIGHT SINGLE QUOTATION MARK}s"
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def demo(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)


def _shoot(page: Page, name: str) -> None:
    if os.environ.get("SCREENSHOT_DIR"):
        for image in page.locator("img").all():
            expect(image).to_have_js_property("complete", True)
        page.screenshot(path=f"{os.environ['SCREENSHOT_DIR']}/{name}.png", full_page=True)


def _play(page: Page, url: str, *choices: str, feedback: int = 0) -> None:
    """Plays the choices in order; the first `feedback` answers are trivia answers whose
    feedback waits for "Weiter"."""
    page.goto(url)
    page.get_by_role("button", name=START).click()
    for number, choice in enumerate(choices, start=1):
        page.get_by_label(choice, exact=True).check()
        page.locator(".player button[type=submit]").last.click()
        if number <= feedback:
            page.get_by_role("link", name="Weiter").click()


def _assert_bars_stay_clear_of_their_labels(page: Page) -> list[int]:
    """Each row: label and percentage side by side on one line, the bar below both, never
    over them; returns the percentages shown."""
    rows = page.locator(".poll-chart__row")
    percents = []
    for index in range(rows.count()):
        row = rows.nth(index)
        label = row.locator(".poll-chart__label").bounding_box()
        value = row.locator(".poll-chart__value").bounding_box()
        track = row.locator(".poll-chart__track").bounding_box()
        bar = row.locator(".poll-chart__bar").bounding_box()
        assert label["x"] + label["width"] <= value["x"], "the percentage covers the label"
        assert max(label["y"] + label["height"], value["y"] + value["height"]) <= track["y"]
        assert track["height"] >= 8
        percent = int(re.match(r"\d+", row.locator(".poll-chart__value").inner_text())[0])
        assert bar["width"] == pytest.approx(track["width"] * percent / 100, abs=1.5)
        percents.append(percent)
    return percents


def test_a_vote_shows_the_bars_with_the_own_choice_marked(
    live_server, page: Page, demo, console_errors: list[str]
):
    _play(page, f"{live_server.url}/c/sommer-sorte/", "Mango-Chili")

    expect(page.get_by_role("heading", name="So haben alle abgestimmt")).to_be_visible()
    own = page.locator(".poll-chart__row--own")
    expect(own).to_have_count(1)
    expect(own).to_contain_text("Mango-Chili")
    expect(own).to_contain_text("Deine Wahl")
    # 11, 7 and 5 seeded votes and ours: 11, 8 and 5 of 24.
    expect(page.locator(".poll-chart__value")).to_have_text(["46 %", "33 %", "21 %"])
    expect(page.get_by_text("24 Stimmen insgesamt")).to_be_visible()
    assert sum(_assert_bars_stay_clear_of_their_labels(page)) == 100
    _shoot(page, "poll-result-390")

    page.set_viewport_size(DESKTOP)
    assert sum(_assert_bars_stay_clear_of_their_labels(page)) == 100
    _shoot(page, "poll-result-1366")
    assert console_errors == []


def test_without_the_share_sheet_the_link_is_copied(
    live_server, browser: Browser, browser_context_args: dict, demo
):
    context = browser.new_context(**browser_context_args)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    _play(page, f"{live_server.url}/c/snack-typ/", "Chips und Action", "Alles", "Sportlich")
    shared = f"{live_server.url}/c/snack-typ/?result=crunchy"

    assert page.evaluate("typeof navigator.share") == "undefined"
    expect(page.get_by_role("button", name="Teilen", exact=True)).to_be_hidden()
    expect(page.get_by_role("link", name="Link zum Teilen")).to_be_hidden()
    page.get_by_role("button", name="Link kopieren").click()
    expect(page.get_by_role("status").filter(has_text="Link kopiert.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == shared
    expect(page.get_by_role("link", name="Bild herunterladen")).to_have_attribute(
        "href", "/c/snack-typ/card/crunchy.png"
    )
    _shoot(page, "share-390")

    page.goto(shared)
    image = page.locator('meta[property="og:image"]').get_attribute("content")
    assert image == f"{live_server.url}/c/snack-typ/card/crunchy.png"
    card = page.request.get(image)
    assert card.ok
    assert card.headers["content-type"] == "image/png"
    context.close()


def test_with_the_share_sheet_the_button_opens_it(
    live_server, browser: Browser, browser_context_args: dict, demo
):
    context = browser.new_context(**browser_context_args)
    # What a phone offers; the call is recorded instead of opening a sheet.
    context.add_init_script(
        "navigator.share = (data) => { window.sharedWith = data; return Promise.resolve(); };"
    )
    page = context.new_page()
    _play(page, f"{live_server.url}/c/snack-wissen/", "Mais", "Japan", "Herzhaft", feedback=2)

    expect(page.get_by_role("button", name="Link kopieren")).to_be_hidden()
    page.get_by_role("button", name="Teilen", exact=True).click()

    shared = page.evaluate("window.sharedWith")
    # The last question asks for an opinion: it counts towards no score.
    assert shared["url"] == f"{live_server.url}/c/snack-wissen/?result=score-1-of-2"
    assert shared["title"].startswith("1 von 2 richtig")
    context.close()


def test_without_javascript_a_plain_link_and_the_download_remain(
    live_server, browser: Browser, browser_context_args: dict, demo
):
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    _play(page, f"{live_server.url}/c/sommer-sorte/", "Himbeere")

    expect(page.get_by_role("link", name="Link zum Teilen")).to_have_attribute(
        "href", f"{live_server.url}/c/sommer-sorte/?result=taken-part"
    )
    expect(page.get_by_role("link", name="Bild herunterladen")).to_be_visible()
    expect(page.get_by_role("button", name="Link kopieren")).to_be_hidden()
    expect(page.get_by_role("button", name="Teilen", exact=True)).to_be_hidden()
    assert sum(_assert_bars_stay_clear_of_their_labels(page)) == 100
    context.close()
