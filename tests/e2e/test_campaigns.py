import pytest
from playwright.sync_api import Browser, Page, expect

from apps.loyalty.models import Account
from apps.preferences.models import Declaration

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

START = "Los geht\N{RIGHT SINGLE QUOTATION MARK}s"


@pytest.fixture
def demo(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)


def _choose(page: Page, label: str) -> None:
    page.get_by_label(label, exact=True).check()


def test_trivia_with_javascript_accepting_consent_keeps_the_answer(
    live_server, page: Page, demo, console_errors: list[str]
):
    page.goto(live_server.url)
    page.get_by_role("link", name="Snack-Wissen: 3 Fragen").click()
    page.get_by_role("button", name=START).click()

    _choose(page, "Mais")
    page.get_by_role("button", name="Weiter").click()
    expect(page.get_by_role("status").filter(has_text="Richtig!")).to_be_visible()
    page.get_by_role("link", name="Weiter").click()
    expect(page.get_by_text("Frage 2 von 3")).to_be_visible()
    _choose(page, "Japan")
    page.get_by_role("button", name="Weiter").click()
    expect(page.get_by_text("Nicht ganz.")).to_be_visible()
    page.get_by_role("link", name="Weiter").click()
    _choose(page, "Herzhaft")
    page.get_by_role("button", name="Fertig").click()

    # The last question asks for an opinion: it counts towards no score.
    expect(page.get_by_role("heading", level=1)).to_have_text("1 von 2 richtig")
    expect(page.locator(".wallet__number")).to_have_text("+50")
    page.locator("#consent-personalization").get_by_role("button", name="Ja").click()
    expect(page.locator("#consent-personalization").get_by_role("status")).to_be_visible()
    page.get_by_role("button", name="Fertig").click()

    expect(page.locator("#kept")).to_contain_text("Herzhaft")
    page.locator("#kept").get_by_role("link", name="Meine Daten").click()
    expect(page.locator("#pref-favourite_category .pref-row__value")).to_have_text("Herzhaft")
    expect(page.get_by_text("Im Quiz „Snack-Wissen: 3 Fragen“ am")).to_be_visible()
    assert console_errors == []


def test_personality_quiz_without_javascript_declining_keeps_nothing_but_the_points(
    live_server, browser: Browser, browser_context_args: dict, demo
):
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/c/snack-typ/")
    page.get_by_role("button", name=START).click()

    _choose(page, "Chips und Action")
    page.get_by_role("button", name="Weiter").click()
    _choose(page, "Alles")
    page.get_by_role("button", name="Weiter").click()
    _choose(page, "Sportlich")
    page.get_by_role("button", name="Fertig").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Der Knusper-Fan")
    page.locator("#consent-personalization").get_by_role("button", name="Nein").click()
    page.get_by_role("button", name="Fertig").click()

    expect(page.get_by_text("Wir behalten keine deiner Antworten")).to_be_visible()
    assert not Declaration.objects.exists()
    assert Account.objects.get().balance == 50
    context.close()


def test_the_self_assessment_shows_a_result_per_area(live_server, page: Page, demo):
    page.goto(f"{live_server.url}/c/kundenfokus-check/")
    page.get_by_role("button", name=START).click()
    for number, value in enumerate(("4", "5", "3", "2", "4"), start=1):
        # The next card is swapped in by htmx: answer it only once it is there.
        expect(page.get_by_text(f"Frage {number} von 5")).to_be_visible()
        page.get_by_label(value, exact=True).check()
        page.get_by_role("button", name="Weiter").or_(
            page.get_by_role("button", name="Fertig")
        ).click()

    expect(page.get_by_role("heading", name="Dein Ergebnis pro Bereich")).to_be_visible()
    listening = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="Zuhören", exact=True)
    )
    expect(listening.get_by_text("4,0")).to_be_visible()
    expect(listening.get_by_text("Vorbildlich")).to_be_visible()


def test_a_question_whose_time_runs_out_moves_on_by_itself(
    live_server, page: Page, console_errors: list[str]
):
    from tests.campaigns.factories import CampaignFactory, OptionFactory, QuestionFactory

    campaign = CampaignFactory(slug="blitz", seconds_per_question=5)
    for position in (1, 2):
        question = QuestionFactory(campaign=campaign, position=position)
        OptionFactory(question=question, is_correct=True)
    page.goto(f"{live_server.url}/c/blitz/")
    expect(page.get_by_text("Du hast 5 Sekunden pro Frage.")).to_be_visible()
    page.get_by_role("button", name=START).click()

    expect(page.get_by_role("timer")).to_contain_text("Verbleibende Zeit:")
    expect(page.get_by_role("status")).to_have_text("Zeit ist um.", timeout=10_000)
    expect(page.get_by_text("Frage 2 von 2")).to_be_visible()
    assert console_errors == []
