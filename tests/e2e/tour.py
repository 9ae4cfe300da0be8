"""Steps shared by the browser tests that walk every customer page: seed the demo, play any
campaign to its result whatever its questions are, and look at each page on the way."""

import os
import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page

from apps.campaigns.models import Campaign

DESKTOP = {"width": 1366, "height": 900}
# Screenshots for reviewers land here; an empty value takes none (e.g. in CI).
SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS_DIR", "e2e-screenshots")
# The player's way forward, in either language; "Back" is never pressed.
FORWARD = re.compile(r"^(Weiter|Fertig|Next|Finish|Continue)$")
# Every campaign ends within this many screens, or the tour has lost its way.
MAX_SCREENS = 60


def seed_demo() -> list[str]:
    """The demo campaigns and a showcase of the question types the demo does not use; returns
    the slugs of every live campaign, in the order of the home page."""
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    showcase_campaign()
    return list(Campaign.objects.live().values_list("slug", flat=True))


def showcase_campaign() -> Campaign:
    """A survey asking with faces, pictures, a number and words."""
    from apps.campaigns.services import option_set_image
    from apps.core.demo import demo_artwork
    from tests.campaigns.factories import CampaignFactory, OptionFactory, QuestionFactory

    campaign = CampaignFactory(
        slug="fragen-vielfalt",
        kind=Campaign.Kind.SURVEY,
        title_de="Wie war dein Tag?",
        title_en="How was your day?",
        position=99,
    )
    QuestionFactory(
        campaign=campaign,
        position=1,
        kind="mood",
        text_de="Wie geht es dir heute?",
        text_en="How do you feel today?",
    )
    pictures = QuestionFactory(
        campaign=campaign,
        position=2,
        kind="image",
        text_de="Welches Bild gefällt dir?",
        text_en="Which picture do you like?",
    )
    for position, (colour, de, en) in enumerate(
        (("#c2410c", "Sonnenuntergang", "Sunset"), ("#0f766e", "Meer", "Sea"))
    ):
        option = OptionFactory(question=pictures, position=position, label_de=de, label_en=en)
        option_set_image(option=option, upload=demo_artwork(colour, (240, 240), en.lower()))
    QuestionFactory(
        campaign=campaign,
        position=3,
        kind="number",
        scale_min=0,
        scale_max=20,
        text_de="Wie viele Snacks isst du pro Woche?",
        text_en="How many snacks do you eat a week?",
    )
    QuestionFactory(
        campaign=campaign,
        position=4,
        kind="text",
        text_de="Was sollen wir als Nächstes fragen?",
        text_en="What should we ask next?",
    )
    return campaign


def screenshot(page: Page, name: str) -> None:
    """The page at phone and desktop width, whole, as a reviewer would scroll it."""
    if not SCREENSHOTS:
        return
    folder = Path(SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    phone = page.viewport_size
    page.screenshot(path=folder / f"{name}-390.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=folder / f"{name}-1366.png", full_page=True)
    page.set_viewport_size(phone)


def _mark_screen(page: Page) -> None:
    page.evaluate(
        "() => { const p = document.querySelector('#player'); if (p) p.dataset.seen = '1'; }"
    )


def _wait_for_next_screen(page: Page) -> None:
    # htmx swaps the card (a new element, unmarked); without JavaScript a new page loads.
    page.wait_for_function("() => !document.querySelector('#player[data-seen]')")
    page.wait_for_load_state()


def answer(page: Page) -> None:
    """Give some answer to the question on screen: the first choice, the lowest number, a few
    words. An answer already fixed (disabled) is left as it is."""
    player = page.locator("#player")
    choices = player.locator("input[type=radio]:enabled, input[type=checkbox]:enabled")
    if choices.count() and not player.locator("input:checked").count():
        choices.first.check()
    number = player.locator("input[type=number]:enabled")
    if number.count() and not number.input_value():
        number.fill(number.get_attribute("min") or "1")
    text = player.locator("textarea:enabled")
    if text.count() and not text.input_value():
        text.fill("Mehr über Snacks")


def play_to_result(
    page: Page, base_url: str, slug: str, *, on_screen: Callable[[str, int], None]
) -> None:
    """Open the campaign, start it and answer until the player is gone (the result, or
    whatever follows it). `on_screen(name, n)` sees the intro, every screen of the player and
    the first page after it."""
    page.goto(f"{base_url}/c/{slug}/")
    on_screen("intro", 0)
    page.locator("form[action$='/start/'] button[type=submit]").click()
    page.wait_for_load_state()
    for screen in range(1, MAX_SCREENS + 1):
        if not page.locator("#player").count():
            on_screen("result", screen)
            return
        kind = page.locator("#player").get_attribute("data-kind") or _question_kind(page)
        on_screen(kind, screen)
        answer(page)
        _mark_screen(page)
        forward = (
            page.locator("#player")
            .get_by_role("button", name=FORWARD)
            .or_(page.locator("#player").get_by_role("link", name=FORWARD))
        )
        forward.last.click()
        _wait_for_next_screen(page)
    raise AssertionError(f"{slug}: still playing after {MAX_SCREENS} screens")


def _question_kind(page: Page) -> str:
    """What is being asked, read from the inputs on screen, for naming screenshots."""
    player = page.locator("#player")
    for selector, kind in (
        ("textarea", "text"),
        ("input[type=number]", "number"),
        (".mood", "mood"),
        (".scale", "scale"),
        (".option__image", "image"),
        ("input[type=checkbox]", "multiple"),
    ):
        if player.locator(selector).count():
            return kind
    return "single"
