import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_on_a_phone_speaks_german_then_english_without_console_errors(
    live_server, page: Page, console_errors: list[str]
):
    page.goto(live_server.url)

    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sag uns, was du magst. Und hol dir etwas zurück."
    )
    expect(page.get_by_text("Gerade läuft nichts.")).to_be_visible()

    page.get_by_role("button", name="EN English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Tell us what you like. Get something back."
    )
    expect(page.get_by_role("button", name="EN English")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("typeof htmx") == "object"
    assert console_errors == []


def test_the_skip_link_appears_on_first_tab_and_leads_to_the_content(live_server, page: Page):
    page.goto(live_server.url)

    page.keyboard.press("Tab")

    skip_link = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    skip_link.press("Enter")
    expect(page.locator("#main")).to_be_focused()
