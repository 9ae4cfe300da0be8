import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from tests.celery_broker import celery_broker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

START = "Los geht\N{RIGHT SINGLE QUOTATION MARK}s"
EMAIL = "kim@example.com"


@pytest.fixture
def demo(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def mail_sent_at_once():
    with celery_broker("memory://", eager=True):
        yield


def _latest_link() -> str:
    return mail.outbox[-1].body.split("http://127.0.0.1:8000", 1)[1].split()[0]


def _sign_in(page: Page, base_url: str) -> None:
    page.get_by_label("Deine E-Mail-Adresse").fill(EMAIL)
    sent = len(mail.outbox)
    page.get_by_role("button", name="Schick mir einen Link zum Anmelden").click()
    expect(page.get_by_role("heading", name="Schau in dein Postfach")).to_be_visible()
    assert len(mail.outbox) == sent + 1
    page.goto(base_url + _latest_link())
    page.get_by_role("button", name="Jetzt anmelden").click()
    expect(page.get_by_text(f"Angemeldet als {EMAIL}.")).to_be_visible()


def _expect_points_and_preference(page: Page) -> None:
    expect(page.get_by_text("Du hast 50 Punkte.")).to_be_visible()
    expect(page.locator("#pref-favourite_category .pref-row__value")).to_have_text("Herzhaft")


def test_play_anonymously_sign_in_by_link_and_find_everything_on_a_second_device(
    live_server, page: Page, browser: Browser, browser_context_args: dict, demo, mail_sent_at_once
):
    page.goto(f"{live_server.url}/c/snack-wissen/")
    page.get_by_role("button", name=START).click()
    page.get_by_label("Mais", exact=True).check()
    page.get_by_role("button", name="Weiter").click()
    page.get_by_role("link", name="Weiter").click()
    expect(page.get_by_text("Frage 2 von 3")).to_be_visible()
    page.get_by_label("Japan", exact=True).check()
    page.get_by_role("button", name="Weiter").click()
    page.get_by_role("link", name="Weiter").click()
    expect(page.get_by_text("Frage 3 von 3")).to_be_visible()
    page.get_by_label("Herzhaft", exact=True).check()
    page.get_by_role("button", name="Fertig").click()
    page.locator("#consent-personalization").get_by_role("button", name="Ja").click()
    expect(page.locator("#consent-personalization").get_by_role("status")).to_be_visible()
    page.get_by_role("button", name="Fertig").click()

    page.get_by_role("link", name="Anmelden").click()
    _sign_in(page, live_server.url)
    _expect_points_and_preference(page)

    other_device = browser.new_context(**browser_context_args)
    second = other_device.new_page()
    second.goto(f"{live_server.url}/sign-in/")
    _sign_in(second, live_server.url)
    _expect_points_and_preference(second)
    # The quiz remembers the play on the second device too.
    second.goto(f"{live_server.url}/c/snack-wissen/")
    expect(second.get_by_role("button", name="Zu deinem Ergebnis")).to_be_visible()
    other_device.close()
