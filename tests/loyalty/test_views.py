import pytest
from django.urls import reverse

from apps.loyalty.models import LedgerEntry, Redemption, rule_credit_key, rule_source_ref
from apps.loyalty.services import ledger_adjust, ledger_credit, ledger_debit, redemption_create
from apps.profiles.models import Profile
from tests.loyalty.factories import EarningRuleFactory, RewardFactory, TierFactory

pytestmark = pytest.mark.django_db


def _fund(profile, points, key="fund"):
    ledger_credit(profile=profile, points=points, idempotency_key=key, reason="Quiz abgeschlossen")


def test_wallet_for_a_new_visitor_shows_zero_and_creates_nothing(client):
    RewardFactory(cost=100)

    response = client.get(reverse("loyalty:wallet"))

    assert response.status_code == 200
    assert "100 Punkte" in response.content.decode()
    assert not Profile.objects.exists()


@pytest.mark.parametrize("entries", [1, 30])
def test_wallet_query_count_is_constant(visitor, profile, entries, django_assert_num_queries):
    TierFactory(key="bronze", threshold=0)
    TierFactory(key="silver", threshold=10_000)
    RewardFactory.create_batch(5, cost=100)
    for n in range(entries):
        _fund(profile, 10, key=f"k{n}")

    # session, profile, account, earned in window, tiers, expiry (3), entries, re-prompt
    # purposes, rewards, redemptions, last-seen update
    with django_assert_num_queries(13):
        response = visitor.get(reverse("loyalty:wallet"))

    assert response.content.decode().count('class="ledger__amount') == entries


def test_wallet_shows_balance_progress_and_expiry(visitor, profile):
    TierFactory(key="bronze", threshold=0)
    TierFactory(key="silver", threshold=500, name_de="Silber")
    _fund(profile, 120)

    html = visitor.get(reverse("loyalty:wallet")).content.decode()

    assert 'data-count-up-from="0">120</span>' in html
    assert "380 Punkte bis Silber" in html
    assert "120 Punkte verfallen am" in html


def test_redeem_asks_first_then_shows_the_code(visitor, profile):
    reward = RewardFactory(cost=100, stock=5)
    _fund(profile, 150)
    url = reverse("loyalty:redeem", args=[reward.pk])

    confirm = visitor.get(url)
    key = confirm.context["key"]
    assert not Redemption.objects.exists()

    response = visitor.post(url, {"key": str(key)}, follow=True)
    again = visitor.post(url, {"key": str(key)})

    redemption = Redemption.objects.get()
    assert redemption.code in response.content.decode()
    assert again.status_code == 302
    assert Redemption.objects.count() == 1


def test_redeeming_without_enough_points_is_a_clear_409(visitor, profile):
    reward = RewardFactory(cost=100)
    _fund(profile, 30)

    response = visitor.post(
        reverse("loyalty:redeem", args=[reward.pk]),
        {"key": "0b7c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d"},
    )

    assert response.status_code == 409
    assert "Dir fehlen noch 70 Punkte" in response.content.decode()


def test_a_forged_key_or_unknown_reward_never_errors(visitor, profile):
    reward = RewardFactory(cost=10)
    _fund(profile, 30)

    assert (
        visitor.post(reverse("loyalty:redeem", args=[reward.pk]), {"key": "x"}).status_code == 400
    )
    assert visitor.get(reverse("loyalty:redeem", args=[99999])).status_code == 404
    assert not Redemption.objects.exists()


def test_a_fresh_credit_counts_up_from_the_previous_balance(visitor, profile):
    _fund(profile, 100, key="a")
    _fund(profile, 40, key="b")

    html = visitor.get(reverse("loyalty:wallet")).content.decode()

    assert 'data-count-up-from="100">140</span>' in html
    assert "js/count-up.js" in html


def test_the_catalogue_says_what_you_can_afford_and_what_is_missing(visitor, profile):
    RewardFactory(title_de="Klein", cost=50)
    RewardFactory(title_de="Groß", cost=500)
    _fund(profile, 120)

    html = visitor.get(reverse("loyalty:wallet")).content.decode()

    assert "Das kannst du dir leisten" in html
    assert "Noch 380 Punkte" in html


def _history(response) -> str:
    html = response.content.decode()
    return html[html.index('id="history-heading"') :]


@pytest.fixture
def ledger_of_every_kind(profile):
    """A quiz credit, a redemption and one of the system's own reasons, each storing the
    reason the way it was written at the time: the rule's name in the language of the page
    that earned it, the reward's English title."""
    rule = EarningRuleFactory(name_de="Quiz abgeschlossen", name_en="Quiz completed")
    ledger_credit(
        profile=profile,
        points=400,
        idempotency_key=rule_credit_key(rule.pk, "participation:1"),
        reason="Quiz abgeschlossen",
        source_ref=rule_source_ref(rule.pk),
    )
    reward = RewardFactory(title_de="Gratis Versand", title_en="Free shipping", cost=250)
    redemption_create(profile=profile, reward_id=reward.pk, idempotency_key="redeem-1")
    ledger_debit(
        profile=profile,
        points=10,
        idempotency_key="expired",
        reason="Points expired",
        kind=LedgerEntry.Kind.EXPIRE,
    )


def test_wallet_history_reads_wholly_in_german(visitor, profile, ledger_of_every_kind):
    history = _history(visitor.get(reverse("loyalty:wallet")))

    assert "Gesammelt: Quiz abgeschlossen" in history
    assert "Eingelöst: Gratis Versand" in history
    assert "Verfallen: Punkte verfallen" in history
    for english in ("Reward", "Free shipping", "Quiz completed", "Points expired"):
        assert english not in history


def test_wallet_history_reads_wholly_in_english(visitor, profile, ledger_of_every_kind, settings):
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    history = _history(visitor.get(reverse("loyalty:wallet")))

    assert "Earned: Quiz completed" in history
    assert "Redeemed: Free shipping" in history
    assert "Expired: Points expired" in history
    for german in ("abgeschlossen", "Gratis", "Eingelöst", "Gesammelt", "verfallen"):
        assert german not in history


@pytest.mark.parametrize("redemptions", [0, 4])
def test_wallet_names_rules_and_rewards_in_constant_queries_however_many_entries(
    visitor, profile, ledger_of_every_kind, redemptions, django_assert_num_queries, settings
):
    settings.LOYALTY_REDEEM_LIMIT_PER_PROFILE = (10, 24 * 60 * 60)
    for number in range(redemptions):
        reward = RewardFactory(cost=1)
        redemption_create(profile=profile, reward_id=reward.pk, idempotency_key=f"r{number}")

    # The wallet's own queries, plus one for the rules and one for the rewards named.
    with django_assert_num_queries(15):
        response = visitor.get(reverse("loyalty:wallet"))

    assert "Eingelöst: Gratis Versand" in _history(response)


def test_wallet_shows_a_generic_label_for_a_note_staff_typed(visitor, profile, admin_user):
    ledger_adjust(
        profile=profile,
        points=5,
        reason="Kulanz: Ticket #881, hat sich über den Kurier beschwert",
        staff_user=admin_user,
        idempotency_key="adjust",
    )

    history = _history(visitor.get(reverse("loyalty:wallet")))

    assert "Korrektur deines Punktestands" in history
    assert "Ticket" not in history


def test_wallet_reads_a_partner_cancellation_stored_with_the_partners_key_in_german(
    visitor, profile
):
    ledger_credit(
        profile=profile,
        points=30,
        idempotency_key="partner-cancel",
        reason="Cancelled by partner shop",
    )

    history = _history(visitor.get(reverse("loyalty:wallet")))

    assert "Von unserem Partner storniert" in history
    assert "Cancelled by partner" not in history
