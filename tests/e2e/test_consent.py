import pytest
from playwright.sync_api import Browser, Page, expect

from apps.consent.models import ConsentState
from tests.consent.factories import published_purpose

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def purposes(db):
    return [
        published_purpose(key="personalization", position=0),
        published_purpose(key="leaderboard", position=1),
    ]


def _row(page: Page, key: str):
    return page.locator(f"#consent-{key}")


def test_consents_toggle_in_place_with_javascript(
    live_server, page: Page, purposes, console_errors: list[str]
):
    page.goto(f"{live_server.url}/me/consents/")

    _row(page, "personalization").get_by_role("button", name="Ja").click()
    expect(_row(page, "personalization").get_by_role("status")).to_have_text(
        "Danke. Deine Einwilligung ist gespeichert."
    )
    expect(_row(page, "personalization").get_by_role("button", name="Ja")).to_have_attribute(
        "aria-pressed", "true"
    )

    _row(page, "personalization").get_by_role("button", name="Nein").click()
    expect(_row(page, "personalization").get_by_role("button", name="Nein")).to_have_attribute(
        "aria-pressed", "true"
    )

    # Swapped in place: the page never navigated, the other row is untouched.
    assert page.url == f"{live_server.url}/me/consents/"
    expect(_row(page, "leaderboard").get_by_role("button", name="Ja")).to_have_attribute(
        "aria-pressed", "false"
    )
    assert list(ConsentState.objects.values_list("status", flat=True)) == ["withdrawn"]
    assert console_errors == []


def test_consents_toggle_without_javascript(
    live_server, browser: Browser, browser_context_args: dict, purposes
):
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/me/consents/")

    _row(page, "leaderboard").get_by_role("button", name="Ja").click()

    expect(page.get_by_role("status").first).to_have_text(
        "Danke. Deine Einwilligung ist gespeichert."
    )
    expect(_row(page, "leaderboard").get_by_role("button", name="Ja")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.get_by_text("Erteilt")).to_be_visible()

    _row(page, "leaderboard").get_by_role("button", name="Nein").click()

    expect(_row(page, "leaderboard").get_by_role("button", name="Nein")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert list(ConsentState.objects.values_list("status", flat=True)) == ["withdrawn"]
    context.close()
