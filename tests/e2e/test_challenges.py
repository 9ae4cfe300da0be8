import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

START = "Los geht\N{RIGHT SINGLE QUOTATION MARK}s"


@pytest.fixture
def demo(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)


def _play(page: Page, base_url: str, slug: str, answers: list[str], feedback: int = 0) -> None:
    """The first `feedback` answers are trivia answers whose feedback waits for "Weiter"."""
    page.goto(f"{base_url}/c/{slug}/")
    page.get_by_role("button", name=START).click()
    for number, answer in enumerate(answers, start=1):
        expect(page.get_by_text(f"Frage {number} von {len(answers)}")).to_be_visible()
        page.get_by_label(answer, exact=True).check()
        page.get_by_role("button", name="Weiter").or_(
            page.get_by_role("button", name="Fertig")
        ).click()
        if number <= feedback:
            page.get_by_role("link", name="Weiter").click()
    expect(page.locator(".wallet__number")).to_be_visible()
    page.get_by_role("button", name="Fertig").click()


def test_playing_both_snack_quizzes_reveals_the_hidden_challenge_with_badge_and_points(
    live_server, page: Page, demo, console_errors: list[str]
):
    page.goto(f"{live_server.url}/me/challenges/")
    expect(page.get_by_role("heading", name="Quiz-Fan des Monats")).to_be_visible()
    expect(page.get_by_role("heading", name="Snack-Entdeckerin")).to_have_count(0)

    _play(page, live_server.url, "snack-typ", ["Chips und Action", "Alles", "Sportlich"])
    _play(page, live_server.url, "snack-wissen", ["Mais", "Japan", "Herzhaft"], feedback=2)

    page.goto(f"{live_server.url}/me/challenges/")
    hidden = page.locator("#challenge-snack-entdecker")
    expect(hidden.get_by_role("heading", name="Snack-Entdeckerin")).to_be_visible()
    expect(hidden.get_by_text("Geschafft!")).to_be_visible()
    expect(page.locator("#challenge-quiz-monat").get_by_text("2 von 3")).to_be_visible()
    expect(page.locator("#badge-entdecker").get_by_text("Verdient am")).to_be_visible()
    expect(page.locator("#badge-erste-challenge").get_by_text("Verdient am")).to_be_visible()
    expect(page.locator("#badge-drei-challenges").get_by_text("1 von 3")).to_be_visible()

    page.goto(f"{live_server.url}/me/points/")
    # 50 for each quiz and 150 for the challenge.
    expect(page.locator(".wallet__number")).to_have_text("250")
    assert console_errors == []
