import pytest
from playwright.sync_api import Page, expect

from apps.loyalty.models import Redemption
from apps.loyalty.services import ledger_credit
from apps.profiles.models import Profile

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_customer_redeems_a_reward_on_a_phone_and_sees_the_code(
    live_server, page: Page, console_errors: list[str]
):
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
    page.locator(f"#reward-{reward.pk}").get_by_role("link", name="Einlösen").click()
    expect(page.get_by_text("Das kostet 250 Punkte. Du hast 300.")).to_be_visible()
    page.get_by_role("button", name="Ja, einlösen").click()

    code = Redemption.objects.get().code
    expect(page.get_by_text(code)).to_be_visible()
    expect(page.locator(".wallet__number")).to_have_text("50")
    assert console_errors == []


def test_a_partners_cancellation_reads_in_german_in_the_wallet(live_server, page: Page):
    import os

    from apps.loyalty.reasons import LedgerReason
    from apps.loyalty.services import redemption_cancel, redemption_create
    from tests.consent.factories import published_purpose
    from tests.loyalty.factories import RewardFactory

    published_purpose(key="leaderboard")
    page.goto(f"{live_server.url}/me/consents/")
    page.locator("#consent-leaderboard").get_by_role("button", name="Nein").click()
    expect(page.locator("#consent-leaderboard").get_by_role("status")).to_be_visible()
    profile = Profile.objects.get()
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
