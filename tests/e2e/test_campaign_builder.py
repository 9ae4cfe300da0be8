"""Staff build, publish and copy campaigns on one page; customers play what they built."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Page, expect

from apps.privacy.roles import CAMPAIGN_MANAGER, roles_sync

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
    page.goto(f"{live_server.url}/admin/login/?next=/admin/campaigns/campaign/add/")
    page.locator("#id_username").fill("manager")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-form [type=submit]").click()
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

    customer = browser.new_context(**browser_context_args).new_page()
    customer.goto(f"{live_server.url}/c/fruehstueck/")
    customer.get_by_role("button", name=START).click()
    customer.get_by_label("Brötchen", exact=True).check()
    customer.get_by_role("button", name="Fertig").click()
    expect(customer.get_by_role("heading", level=1)).to_be_visible()
    assert console_errors == []
