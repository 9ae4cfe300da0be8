"""POST /api/v1/redemptions/ and /redemptions/{id}/cancel/: partners redeem for customers."""

import pytest
from django.db.models import Sum
from django.utils import translation
from rest_framework.test import APIClient

from apps.loyalty.models import Account, Redemption, Reward
from apps.loyalty.reasons import ledger_reasons_name
from apps.loyalty.services import ledger_credit
from apps.partners.models import IdempotencyRecord
from apps.partners.services import partner_link_customer
from tests.concurrency import run_in_parallel
from tests.consent.factories import grant_consent
from tests.loyalty.factories import RewardFactory

URL = "/api/v1/redemptions/"


def _customer(partner, purposes, external_id="4711", points=100, shares=True):
    profile, _created = partner_link_customer(partner=partner, external_id=external_id)
    if shares:
        grant_consent(profile, purposes["partner_sharing"])
    if points:
        ledger_credit(profile=profile, points=points, idempotency_key="fund", reason="Test")
    return profile


def _redeem(client, profile, reward, key="redeem-1", **fields):
    body = {"profile": str(profile.public_id), "reward": reward.pk, **fields}
    return client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def _cancel(client, redemption_id, key="cancel-1", body=None):
    return client.post(
        f"{URL}{redemption_id}/cancel/", body or {}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )


def _balance(profile) -> int:
    return Account.objects.get(profile=profile).balance


@pytest.mark.django_db
def test_a_redemption_debits_points_reserves_stock_and_answers_with_the_code(shop, purposes):
    profile = _customer(shop.partner, purposes)
    reward = RewardFactory(cost=30, stock=5)

    response = _redeem(shop, profile, reward)

    assert response.status_code == 201
    redemption = Redemption.objects.get()
    assert response.json() == {
        "id": redemption.pk,
        "reward": reward.pk,
        "code": redemption.code,
        "points": 30,
        "status": "active",
        "created_at": response.json()["created_at"],
    }
    assert _balance(profile) == 70
    assert Reward.objects.get(pk=reward.pk).stock == 4
    assert redemption.debit.idempotency_key == "redeem:partner:shop:redeem-1"


@pytest.mark.django_db
def test_a_retry_replays_the_redemption_and_redeems_once(shop, purposes):
    profile = _customer(shop.partner, purposes)
    reward = RewardFactory(cost=30)
    first = _redeem(shop, profile, reward)

    again = _redeem(shop, profile, reward)

    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Redemption.objects.count() == 1
    assert _balance(profile) == 70


@pytest.mark.django_db
def test_the_same_key_for_another_reward_is_refused(shop, purposes):
    profile = _customer(shop.partner, purposes)
    _redeem(shop, profile, RewardFactory(cost=30))

    response = _redeem(shop, profile, RewardFactory(cost=10))

    assert response.status_code == 422
    assert response.json()["type"] == "/api/problems/idempotency-key-reused"
    assert Redemption.objects.count() == 1


@pytest.mark.django_db
def test_a_redemption_without_a_key_is_400(shop, purposes):
    profile = _customer(shop.partner, purposes)
    reward = RewardFactory(cost=30)

    response = shop.post(URL, {"profile": str(profile.public_id), "reward": reward.pk})

    assert response.status_code == 400
    assert response.json()["type"] == "/api/problems/idempotency-key-missing"
    assert not Redemption.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("reward_fields", "points", "message"),
    [
        ({"cost": 300}, 100, "You need 200 more points for this reward."),
        ({"cost": 30, "stock": 0}, 100, "Sorry, this reward is sold out."),
        ({"cost": 30, "is_active": False}, 100, "This reward is not available."),
    ],
)
def test_a_refused_redemption_is_422_and_changes_nothing(
    shop, purposes, reward_fields, points, message
):
    profile = _customer(shop.partner, purposes, points=points)
    reward = RewardFactory(**reward_fields)

    response = _redeem(shop, profile, reward)

    assert response.status_code == 422
    assert response.json()["type"] == "/api/problems/refused"
    assert response.json()["detail"] == message
    assert not Redemption.objects.exists()
    assert _balance(profile) == points


@pytest.mark.django_db
def test_an_unknown_reward_is_refused(shop, purposes):
    profile = _customer(shop.partner, purposes)

    response = shop.post(
        URL,
        {"profile": str(profile.public_id), "reward": 2**62},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    )

    assert response.status_code == 422


@pytest.mark.django_db
def test_customers_who_do_not_share_or_are_another_partners_are_not_found(make_partner, purposes):
    shop, cafe = make_partner("shop"), make_partner("cafe")
    reward = RewardFactory(cost=30)
    private = _customer(shop.partner, purposes, external_id="1", shares=False)
    theirs = _customer(cafe.partner, purposes, external_id="2")

    answers = [_redeem(shop, p, reward, key=str(n)) for n, p in enumerate((private, theirs))]

    assert [a.status_code for a in answers] == [404, 404]
    assert not Redemption.objects.exists()


@pytest.mark.django_db
def test_redeeming_needs_the_loyalty_write_scope(make_partner, purposes):
    partner = make_partner(scopes=["events:write", "loyalty:read"])
    profile = _customer(partner.partner, purposes)

    response = _redeem(partner, profile, RewardFactory(cost=30))

    assert response.status_code == 403
    assert not Redemption.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"reward": 1, "profile": "not-a-uuid"},
        {"reward": "one"},
        {"reward": 0},
        {"reward": 2**64},
        {"reward": 1, "points": 0},
    ],
)
def test_a_bad_redemption_body_is_400(shop, purposes, body):
    profile = _customer(shop.partner, purposes)
    body = {"profile": str(profile.public_id), **body}

    response = shop.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert not Redemption.objects.exists()


@pytest.mark.django_db
def test_cancelling_gives_points_and_stock_back_once(shop, purposes):
    profile = _customer(shop.partner, purposes)
    reward = RewardFactory(cost=30, stock=5)
    redemption_id = _redeem(shop, profile, reward).json()["id"]

    response = _cancel(shop, redemption_id, body={"reason": "Order returned"})
    replay = _cancel(shop, redemption_id, body={"reason": "Order returned"})
    again = _cancel(shop, redemption_id, key="cancel-2")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert (replay.status_code, replay["Idempotent-Replayed"]) == (200, "true")
    assert again.status_code == 422
    assert _balance(profile) == 100
    assert Reward.objects.get(pk=reward.pk).stock == 5
    assert Redemption.objects.get().refund.reason == "Order returned"


@pytest.mark.django_db
def test_a_cancel_without_a_reason_names_the_partner_and_reads_in_the_wallets_language(
    shop, purposes
):
    profile = _customer(shop.partner, purposes)
    redemption_id = _redeem(shop, profile, RewardFactory(cost=30)).json()["id"]

    shop.post(f"{URL}{redemption_id}/cancel/", HTTP_IDEMPOTENCY_KEY="c")

    refund = Redemption.objects.get().refund
    assert (refund.reason, refund.source_ref) == ("Cancelled by a partner", "partner:shop")
    with translation.override("de"):
        (shown,) = ledger_reasons_name([refund])
    assert shown.reason_shown == "Von unserem Partner storniert"


@pytest.mark.django_db
def test_a_cancel_with_a_reason_keeps_the_partners_words_and_names_the_partner(shop, purposes):
    profile = _customer(shop.partner, purposes)
    redemption_id = _redeem(shop, profile, RewardFactory(cost=30)).json()["id"]

    _cancel(shop, redemption_id, body={"reason": "Order returned"})

    refund = Redemption.objects.get().refund
    assert (refund.reason, refund.source_ref) == ("Order returned", "partner:shop")


@pytest.mark.django_db
def test_only_redemptions_of_own_sharing_customers_can_be_cancelled(make_partner, purposes):
    shop, cafe = make_partner("shop"), make_partner("cafe")
    theirs = _customer(cafe.partner, purposes)
    redemption_id = _redeem(cafe, theirs, RewardFactory(cost=30)).json()["id"]

    answers = [_cancel(shop, i, key=str(i)) for i in (redemption_id, 999_999, 2**70)]

    assert [a.status_code for a in answers] == [404, 404, 404]
    assert Redemption.objects.get().status == "active"


@pytest.mark.django_db
def test_a_cancel_needs_a_key_and_a_known_body(shop, purposes):
    profile = _customer(shop.partner, purposes)
    redemption_id = _redeem(shop, profile, RewardFactory(cost=30)).json()["id"]

    without_key = shop.post(f"{URL}{redemption_id}/cancel/", {}, format="json")
    unknown_field = _cancel(shop, redemption_id, body={"reason": "x", "refund": 1000})

    assert without_key.status_code == 400
    assert unknown_field.status_code == 400
    assert [e["field"] for e in unknown_field.json()["errors"]] == ["refund"]
    assert Redemption.objects.get().status == "active"


@pytest.mark.django_db
def test_a_key_is_one_request_even_across_endpoints(shop, purposes):
    profile = _customer(shop.partner, purposes)
    redemption_id = _redeem(shop, profile, RewardFactory(cost=30), key="same").json()["id"]

    response = _cancel(shop, redemption_id, key="same")

    assert response.status_code == 422
    assert response.json()["type"] == "/api/problems/idempotency-key-reused"
    assert IdempotencyRecord.objects.get().response_status == 201


def _client_like(template: APIClient) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=template._credentials["HTTP_AUTHORIZATION"])
    return client


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_50_customers_racing_for_a_reward_with_stock_10_get_exactly_10(shop, purposes):
    reward = RewardFactory(cost=10, stock=10)
    profiles = [_customer(shop.partner, purposes, external_id=str(n)) for n in range(50)]
    codes: list[int] = []

    def redeem(n: int) -> None:
        codes.append(_redeem(_client_like(shop), profiles[n], reward, key=f"r{n}").status_code)

    failures = run_in_parallel(50, redeem)

    assert failures == []
    assert sorted(codes) == [201] * 10 + [422] * 40
    assert Redemption.objects.count() == 10
    assert Reward.objects.get(pk=reward.pk).stock == 0
    assert Account.objects.aggregate(total=Sum("balance"))["total"] == 50 * 100 - 10 * 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_200_concurrent_retries_of_one_redemption_redeem_once(shop, purposes):
    profile = _customer(shop.partner, purposes)
    reward = RewardFactory(cost=10, stock=100)
    answers: list[tuple[int, dict]] = []

    def redeem_four_times(n: int) -> None:
        client = _client_like(shop)
        for _ in range(4):
            response = _redeem(client, profile, reward)
            answers.append((response.status_code, response.json()))

    failures = run_in_parallel(50, redeem_four_times)

    assert failures == []
    assert {code for code, _body in answers} <= {201, 409}
    created = [body for code, body in answers if code == 201]
    assert created
    assert all(body == created[0] for body in created)
    assert Redemption.objects.count() == 1
    assert _balance(profile) == 90
    assert Reward.objects.get(pk=reward.pk).stock == 99


@pytest.mark.django_db
def test_a_partner_cannot_cancel_a_redemption_made_elsewhere_for_a_shared_customer(
    make_partner, purposes
):
    from apps.loyalty.services import redemption_create

    shop, cafe = make_partner("shop"), make_partner("cafe")
    customer = _customer(shop.partner, purposes)
    partner_link_customer(partner=cafe.partner, external_id="cafe-1")
    from apps.profiles.models import Identifier

    Identifier.objects.filter(namespace="cafe").update(profile=customer)
    on_the_site = redemption_create(
        profile=customer, reward_id=RewardFactory(cost=30).pk, idempotency_key="web-1"
    )
    by_the_shop = _redeem(shop, customer, RewardFactory(cost=30)).json()["id"]

    assert _cancel(cafe, on_the_site.pk).status_code == 404
    assert _cancel(cafe, by_the_shop, key="c2").status_code == 404
    assert _cancel(shop, on_the_site.pk, key="c3").status_code == 404
    assert _cancel(shop, by_the_shop, key="c4").status_code == 200
