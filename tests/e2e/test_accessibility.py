"""axe-core on every customer page, in German and English: no serious or critical violation.

The pages are reached as a customer reaches them: each demo campaign is played to its result
(every question type on the way), then the pages about the customer's data are opened."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from tests.e2e.tour import play_to_result, seed_demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SEVERE = {"serious", "critical"}
AXE = Axe()
# axe-core is half a megabyte of script. A page keeps it across htmx swaps, so only a page
# that has none (a new document) gets it again: parsing it on every screen cost seconds.
AXE_ALREADY_IN_PAGE = Axe(axe_script="void 0")
# Pages of the customer's own data, after they played; each is checked as it is.
CUSTOMER_PAGES = [
    "/",
    "/me/",
    "/me/consents/",
    "/me/points/",
    "/me/for-you/",
    "/me/challenges/",
    "/me/privacy/",
    "/me/privacy/delete/",
    "/sign-in/",
]


def _severe_violations(page: Page) -> list[str]:
    """Each serious or critical rule broken on the page, with the elements that break it."""
    has_axe = page.evaluate("() => typeof window.axe === 'object'")
    results = (AXE_ALREADY_IN_PAGE if has_axe else AXE).run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] not in SEVERE:
            continue
        targets = "\n".join(
            f"      {' '.join(node['target'])}: {node['html'][:160]}"
            for node in violation["nodes"][:5]
        )
        found.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}\n{targets}")
    return found


def _decide_first_purpose(page: Page) -> None:
    """A consent decision, so the consent center has history and a receipt to open."""
    yes = page.locator(
        ".consent-panel form:not(:has(input[type=email])) button[value=grant][aria-pressed=false]"
    ).first
    with page.expect_response(lambda response: "/decide/" in response.url):
        yes.click()


@pytest.mark.parametrize("language", ["de", "en"])
def test_no_customer_page_has_a_serious_accessibility_violation(
    live_server, browser: Browser, browser_context_args: dict, settings, language: str
):
    settings.DEBUG = True  # serves the demo's pictures
    slugs = seed_demo()
    context = browser.new_context(**browser_context_args)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    report: dict[str, list[str]] = {}

    def check(name: str) -> None:
        found = _severe_violations(page)
        if found:
            report[f"{name} ({page.url})"] = found

    for slug in slugs:
        play_to_result(
            page, live_server.url, slug, on_screen=lambda kind, n, s=slug: check(f"{s} {n} {kind}")
        )
    for path in CUSTOMER_PAGES:
        page.goto(f"{live_server.url}{path}")
        assert page.locator("html").get_attribute("lang") == language
        check(path)
    page.goto(f"{live_server.url}/me/consents/")
    _decide_first_purpose(page)
    page.goto(f"{live_server.url}/me/consents/")
    page.locator("a[href*='/me/consents/']:not([download])").first.click()
    page.wait_for_load_state()
    check("consent receipt")
    leaderboard = page.goto(f"{live_server.url}/me/challenges/") and page.locator(
        "a[href*='/leaderboard/']"
    )
    if leaderboard.count():
        leaderboard.first.click()
        page.wait_for_load_state()
        check("leaderboard")
    context.close()

    assert not report, "Serious or critical accessibility violations:\n" + "\n".join(
        f"{where}\n" + "\n".join(found) for where, found in report.items()
    )
