"""Staff build, publish and copy campaigns on one page; customers play what they built."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Page, expect

from apps.privacy.roles import CAMPAIGN_MANAGER, roles_sync
from tests.e2e.admin_sign_in import admin_sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "campaign-builder-e2e"
START = "Los geht\N{RIGHT SINGLE QUOTATION MARK}s"
DESKTOP = {"width": 1366, "height": 900}


def _shoot(page: Page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


@pytest.fixture
def manager_page(live_server, page: Page) -> Page:
    roles_sync()
    user = User.objects.create_user(username="manager", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=CAMPAIGN_MANAGER))
    page.set_viewport_size(DESKTOP)
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    admin_sign_in(
        page,
        f"{live_server.url}/admin/login/?next=/admin/campaigns/campaign/add/",
        "manager",
        PASSWORD,
    )
    return page


def _add_question(page: Page, number: int, text: tuple[str, str], answers: list[dict]) -> None:
    """Adds a question with its answers on the builder, German first; `_fill_english` adds
    the English texts afterwards through the page's language switch."""
    page.get_by_role("link", name="Frage hinzufügen").last.click()
    prefix = f"#id_questions-{number}"
    page.locator(f"{prefix}-text_de").fill(text[0])
    group = page.locator(f"#questions-{number}-options-group")
    for index, answer in enumerate(answers):
        group.get_by_role("link", name="Antwortmöglichkeit hinzufügen").click()
        page.locator(f"{prefix}-options-{index}-label_de").fill(answer["de"])
        if answer.get("right"):
            page.locator(f"{prefix}-options-{index}-is_correct").check()
        if answer.get("outcome"):
            page.locator(f"{prefix}-options-{index}-outcome_ref").fill(answer["outcome"])


def _fill_english(page: Page, texts: dict[str, str]) -> None:
    """Each text's English tab, then its field, as staff switch languages per text."""
    for field, text in texts.items():
        page.locator(f"a[href='#tab_id_{field}_en']").last.click()
        page.locator(f"#id_{field}_en").fill(text)


def _start_building(page: Page, *, slug: str, kind: str, title: str) -> None:
    page.goto(page.url.split("/admin/")[0] + "/admin/campaigns/campaign/add/")
    page.locator("#id_slug").fill(slug)
    page.locator("#id_kind").select_option(label=kind)
    page.locator("#id_title_de").fill(title)


def _save_and_go_live(page: Page, title: str) -> None:
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text(f"„{title}“")
    expect(page.locator("#publish-check")).to_have_text("Ja, es fehlt nichts.")
    page.get_by_role("button", name="Sichern und starten").click()
    expect(page.locator(".messagelist")).to_contain_text(f"„{title}“ ist live.")


def test_a_campaign_manager_builds_a_poll_on_one_page_and_a_customer_votes(
    manager_page: Page, live_server, browser, browser_context_args, console_errors: list[str]
):
    page = manager_page
    _start_building(page, slug="fruehstueck", kind="Umfrage", title="Frühstück")
    _add_question(page, 0, ("Was frühstückst du?", ""), [{"de": "Müsli"}, {"de": "Brötchen"}])
    _fill_english(
        page,
        {
            "title": "Breakfast",
            "questions-0-text": "What do you have for breakfast?",
            "questions-0-options-0-label": "Cereal",
            "questions-0-options-1-label": "Rolls",
        },
    )
    _shoot(page, "builder-poll")
    _save_and_go_live(page, "Frühstück")
    _shoot(page, "builder-poll-live")

    customer = _customer(browser, browser_context_args, live_server, "fruehstueck")
    customer.get_by_label("Brötchen", exact=True).check()
    customer.get_by_role("button", name="Fertig").click()
    expect(customer.get_by_role("heading", level=1)).to_be_visible()
    customer.context.close()
    assert console_errors == []


def _customer(browser, browser_context_args, live_server, slug: str) -> Page:
    """A customer's phone (390 px wide) on the campaign's first page, started."""
    page = browser.new_context(**browser_context_args).new_page()
    page.goto(f"{live_server.url}/c/{slug}/")
    page.get_by_role("button", name=START).click()
    return page


def test_a_campaign_manager_builds_a_trivia_quiz_on_one_page_and_duplicates_it(
    manager_page: Page, live_server, browser, browser_context_args, console_errors: list[str]
):
    page = manager_page
    _start_building(page, slug="tomaten", kind="Wissensquiz", title="Tomatenquiz")
    _add_question(
        page,
        0,
        ("Welche Farbe hat eine reife Tomate?", ""),
        [{"de": "Rot", "right": True}, {"de": "Blau"}],
    )
    _add_question(
        page,
        1,
        ("Wie viele spielen in einer Fußballelf?", ""),
        [{"de": "Zwölf"}, {"de": "Elf", "right": True}],
    )
    _fill_english(
        page,
        {
            "title": "Tomato quiz",
            "questions-0-text": "What colour is a ripe tomato?",
            "questions-0-options-0-label": "Red",
            "questions-0-options-1-label": "Blue",
            "questions-1-text": "How many play in a football eleven?",
            "questions-1-options-0-label": "Twelve",
            "questions-1-options-1-label": "Eleven",
        },
    )
    _shoot(page, "builder-trivia")
    _save_and_go_live(page, "Tomatenquiz")

    customer = _customer(browser, browser_context_args, live_server, "tomaten")
    customer.get_by_label("Rot", exact=True).check()
    customer.get_by_role("button", name="Weiter").click()
    expect(customer.locator(".verdict")).to_contain_text("Richtig!")
    customer.get_by_role("link", name="Weiter").click()
    customer.get_by_label("Elf", exact=True).check()
    customer.get_by_role("button", name="Fertig").click()
    customer.get_by_role("link", name="Zum Ergebnis").click()
    expect(customer.get_by_role("heading", level=1)).to_have_text("2 von 2 richtig")
    customer.context.close()

    original = page.url
    page.get_by_role("button", name="Duplizieren").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "„Tomatenquiz (Kopie)“ wurde als Entwurf aus „Tomatenquiz“ kopiert."
    )
    assert page.url != original
    expect(page.locator("#id_title_de")).to_have_value("Tomatenquiz (Kopie)")
    expect(page.locator("#id_questions-1-options-1-label_de")).to_have_value("Elf")
    expect(page.locator("#id_questions-1-options-1-is_correct")).to_be_checked()
    expect(page.locator(".field-current_status .readonly")).to_have_text("Entwurf")
    assert console_errors == []


def test_a_campaign_manager_builds_a_personality_quiz_with_its_outcomes_on_one_page(
    manager_page: Page, live_server, browser, browser_context_args, console_errors: list[str]
):
    page = manager_page
    _start_building(page, slug="snacktyp", kind="Persönlichkeitsquiz", title="Welcher Snacktyp?")
    for index, (key, german) in enumerate((("suess", "Naschkatze"), ("salzig", "Knabberfan"))):
        page.get_by_role("link", name="Ergebnis hinzufügen").click()
        page.locator(f"#id_outcomes-{index}-key").fill(key)
        page.locator(f"#id_outcomes-{index}-title_de").fill(german)
    _add_question(
        page,
        0,
        ("Was nimmst du zum Film?", ""),
        [{"de": "Schokolade", "outcome": "suess"}, {"de": "Chips", "outcome": "salzig"}],
    )
    _fill_english(
        page,
        {
            "title": "Which snack type?",
            "outcomes-0-title": "Sweet tooth",
            "outcomes-1-title": "Crunch fan",
            "questions-0-text": "What do you take to a film?",
            "questions-0-options-0-label": "Chocolate",
            "questions-0-options-1-label": "Crisps",
        },
    )
    _shoot(page, "builder-personality")
    _save_and_go_live(page, "Welcher Snacktyp?")

    customer = _customer(browser, browser_context_args, live_server, "snacktyp")
    customer.get_by_label("Chips", exact=True).check()
    customer.get_by_role("button", name="Fertig").click()
    expect(customer.get_by_role("heading", level=1)).to_have_text("Knabberfan")
    _shoot(customer, "builder-personality-played-390")
    customer.context.close()
    assert console_errors == []
