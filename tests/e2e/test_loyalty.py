import os

import pytest
from playwright.sync_api import Page, expect

from apps.loyalty.models import Redemption
from apps.loyalty.services import ledger_credit
from apps.profiles.models import Profile

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mail_sent_at_once():
    from tests.celery_broker import celery_broker

    with celery_broker("memory://", eager=True):
        yield


def _screenshots(page: Page, name: str) -> None:
    if folder := os.environ.get("SCREENSHOTS_DIR"):
        for width, height in ((390, 844), (1366, 900)):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})


def test_an_anonymous_customer_signs_in_to_redeem_and_keeps_the_points(
    live_server, page: Page, console_errors: list[str], mail_sent_at_once
):
    from django.core import mail

    from tests.consent.factories import published_purpose
    from tests.loyalty.factories import RewardFactory

    published_purpose(key="leaderboard")
    reward = RewardFactory(title_de="Gratis Versand", cost=250, stock=3)

    # The visitor's first write (a consent answer) creates their profile; then they earn.
    page.goto(f"{live_server.url}/me/consents/")
    page.locator("#consent-leaderboard").get_by_role("button", name="Nein").click()
    expect(page.locator("#consent-leaderboard").get_by_role("status")).to_be_visible()
    ledger_credit(
        profile=Profile.objects.get(), points=300, idempotency_key="quiz:1", reason="Quiz"
    )

    page.goto(f"{live_server.url}/me/points/")
    # The fresh credit counts up from 0 and settles on the balance.
    expect(page.locator(".wallet__number")).to_have_attribute("data-count-up-from", "0")
    expect(page.locator(".wallet__number")).to_have_text("300")
    # Points earned without signing in are shown, but rewards ask for a sign-in first.
    expect(page.locator("#sign-in-to-redeem")).to_contain_text("Prämien gibt es für Mitglieder.")
    expect(page.get_by_role("link", name="Einlösen", exact=True)).to_have_count(0)
    _screenshots(page, "wallet-sign-in-to-redeem")
    page.locator(f"#reward-{reward.pk}").get_by_role("link", name="Anmelden und einlösen").click()

    page.get_by_label("Deine E-Mail-Adresse").fill("kim@example.com")
    page.get_by_role("button", name="Schick mir einen Link zum Anmelden").click()
    expect(page.get_by_role("heading", name="Schau in dein Postfach")).to_be_visible()
    link = mail.outbox[-1].body.split("http://127.0.0.1:8000", 1)[1].split()[0]
    page.goto(live_server.url + link)
    page.get_by_role("button", name="Jetzt anmelden").click()

    # Back on the reward it was about, signed in, with every point.
    expect(page.get_by_text("Das kostet 250 Punkte. Du hast 300.")).to_be_visible()
    page.get_by_role("button", name="Ja, einlösen").click()

    code = Redemption.objects.get().code
    expect(page.get_by_text(code)).to_be_visible()
    expect(page.locator(".wallet__number")).to_have_text("50")
    expect(page.locator("#sign-in-to-redeem")).to_have_count(0)
    assert console_errors == []


def test_a_partners_cancellation_reads_in_german_in_the_wallet(live_server, page: Page):
    from apps.loyalty.reasons import LedgerReason
    from apps.loyalty.services import redemption_cancel, redemption_create
    from tests.consent.factories import published_purpose
    from tests.loyalty.factories import RewardFactory

    published_purpose(key="leaderboard")
    page.goto(f"{live_server.url}/me/consents/")
    page.locator("#consent-leaderboard").get_by_role("button", name="Nein").click()
    expect(page.locator("#consent-leaderboard").get_by_role("status")).to_be_visible()
    profile = Profile.objects.get()
    # Only members redeem: as if the customer had signed in.
    Profile.objects.filter(pk=profile.pk).update(kind=Profile.Kind.MEMBER)
    profile.refresh_from_db()
    ledger_credit(profile=profile, points=300, idempotency_key="quiz:1", reason="Quiz")
    reward = RewardFactory(title_de="Gratis Versand", title_en="Free shipping", cost=250)
    redemption = redemption_create(profile=profile, reward_id=reward.pk, idempotency_key="r1")
    # As the partner API cancels without a reason of the partner's own.
    redemption_cancel(
        redemption_id=redemption.pk,
        reason=LedgerReason.CANCELLED_BY_PARTNER,
        source_ref="partner:shop",
    )

    page.goto(f"{live_server.url}/me/points/")

    history = page.locator(".ledger")
    expect(history).to_contain_text("Von unserem Partner storniert")
    expect(history).not_to_contain_text("Cancelled")
    expect(history).not_to_contain_text("shop")
    if folder := os.environ.get("SCREENSHOTS_DIR"):
        for width, height in ((390, 844), (1366, 900)):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=f"{folder}/wallet-partner-cancel-{width}.png", full_page=True)
