"""POST /api/v1/events/: partners report events, earning rules credit once per key."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.core.models import OutboxEvent
from apps.loyalty.models import Account, LedgerEntry
from apps.partners.api import events as events_api
from apps.partners.models import IdempotencyRecord, PartnerEventType
from apps.partners.services import partner_link_customer
from apps.partners.tasks import forget_idempotency_records_task
from tests.concurrency import run_in_parallel
from tests.consent.factories import grant_consent
from tests.loyalty.factories import EarningRuleFactory

URL = "/api/v1/events/"


@pytest.fixture
def purchase_rule(db):
    # Seeded by a migration, but a transactional test empties the tables it leaves behind.
    PartnerEventType.objects.get_or_create(key="purchase", defaults={"label": "Purchase"})
    return EarningRuleFactory(name="Purchase", event_name="purchase", points=50)


def _customer(partner, purposes, external_id="4711", grants=("partner_sharing",)):
    profile, _created = partner_link_customer(partner=partner, external_id=external_id)
    for key in grants:
        grant_consent(profile, purposes[key])
    return profile


def _body(profile, **fields):
    return {"type": "purchase", "profile": str(profile.public_id), **fields}


def _post(client, body, key="order-1001", **headers):
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(URL, body, format="json", **headers)


def _post_raw(client, raw: bytes, key="order-1001"):
    return client.generic(
        "POST", URL, raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


def _balance(profile) -> int:
    account = Account.objects.filter(profile=profile).first()
    return account.balance if account else 0


def _purchases() -> int:
    return OutboxEvent.objects.filter(name="purchase").count()


@pytest.mark.django_db
def test_a_purchase_earns_points_through_the_earning_rule(shop, purposes, purchase_rule):
    profile = _customer(shop.partner, purposes)

    response = _post(shop, _body(profile, properties={"order": "A-1001", "amount": 42.5}))

    assert response.status_code == 201
    body = response.json()
    event = OutboxEvent.objects.get(name="purchase")
    assert body == {
        "id": event.pk,
        "type": "purchase",
        "profile": str(profile.public_id),
        "points_credited": 50,
        "balance": 50,
    }
    assert "Idempotent-Replayed" not in response
    assert event.payload["idempotency_key"] == "partner:shop:order-1001"
    assert (event.payload["partner"], event.payload["order"]) == ("shop", "A-1001")
    assert _balance(profile) == 50


@pytest.mark.django_db
def test_a_retry_with_the_same_key_replays_the_answer_and_credits_once(
    shop, purposes, purchase_rule
):
    profile = _customer(shop.partner, purposes)
    first = _post(shop, _body(profile, properties={"order": "A-1001"}))

    # The same request in another key order and spacing is the same request.
    again = shop.generic(
        "POST",
        URL,
        json.dumps({"properties": {"order": "A-1001"}, **_body(profile)}, indent=2),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="order-1001",
    )

    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert _balance(profile) == 50
    assert LedgerEntry.objects.count() == 1
    assert _purchases() == 1


@pytest.mark.django_db
def test_the_same_key_with_a_different_body_is_refused(shop, purposes, purchase_rule):
    profile = _customer(shop.partner, purposes)
    _post(shop, _body(profile, properties={"order": "A-1001"}))

    response = _post(shop, _body(profile, properties={"order": "A-1002"}))

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/api/problems/idempotency-key-reused"
    assert _balance(profile) == 50


@pytest.mark.django_db
def test_keys_belong_to_one_partner(make_partner, purposes, purchase_rule):
    shop, cafe = make_partner("shop"), make_partner("cafe")
    customers = [_customer(shop.partner, purposes), _customer(cafe.partner, purposes)]

    answers = [_post(client, _body(c)) for client, c in zip((shop, cafe), customers, strict=True)]

    assert [a.status_code for a in answers] == [201, 201]
    assert [_balance(c) for c in customers] == [50, 50]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (None, "idempotency-key-missing"),
        ("  ", "idempotency-key-missing"),
        ("k" * 201, "idempotency-key-invalid"),
        ("tab\there", "idempotency-key-invalid"),
        ("bestellung-ä", "idempotency-key-invalid"),
    ],
)
def test_a_missing_or_malformed_key_is_400(shop, purposes, purchase_rule, key, problem):
    profile = _customer(shop.partner, purposes)

    response = _post(shop, _body(profile), key=key)

    assert response.status_code == 400
    assert response.json()["type"] == f"/api/problems/{problem}"
    assert _purchases() == 0
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_a_key_of_200_characters_credits_once(shop, purposes, purchase_rule):
    profile = _customer(shop.partner, purposes)

    answers = [_post(shop, _body(profile), key="k" * 200) for _ in range(2)]

    assert [a.status_code for a in answers] == [201, 201]
    assert _balance(profile) == 50


@pytest.mark.django_db
@pytest.mark.parametrize("event_type", ["newsletter_click", "store_visit_inactive"])
def test_an_unknown_or_inactive_event_type_is_422(shop, purposes, purchase_rule, event_type):
    PartnerEventType.objects.create(key="store_visit_inactive", label="Old", is_active=False)
    profile = _customer(shop.partner, purposes)

    response = _post(shop, _body(profile, type=event_type))

    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "/api/problems/validation-error"
    assert [e["field"] for e in problem["errors"]] == ["type"]
    assert OutboxEvent.objects.filter(name=event_type).count() == 0


@pytest.mark.django_db
def test_a_type_the_brand_adds_earns_once_a_rule_listens(shop, purposes, purchase_rule):
    PartnerEventType.objects.create(key="review_written", label="Review")
    EarningRuleFactory(event_name="review_written", points=20)
    profile = _customer(shop.partner, purposes)

    response = _post(shop, _body(profile, type="review_written"))

    assert response.json()["points_credited"] == 20


@pytest.mark.django_db
def test_rule_conditions_see_the_properties(shop, purposes, purchase_rule):
    purchase_rule.conditions = {"channel": "store"}
    purchase_rule.save()
    profile = _customer(shop.partner, purposes)

    online = _post(shop, _body(profile, properties={"channel": "online"}), key="1")
    in_store = _post(shop, _body(profile, properties={"channel": "store"}), key="2")

    assert (online.json()["points_credited"], in_store.json()["points_credited"]) == (0, 50)


@pytest.mark.django_db
def test_another_partners_customer_is_not_found(make_partner, purposes, purchase_rule):
    shop, cafe = make_partner("shop"), make_partner("cafe")
    theirs = _customer(cafe.partner, purposes)

    response = _post(shop, _body(theirs))

    assert response.status_code == 404
    assert response.json()["type"] == "/api/problems/not-found"
    assert _balance(theirs) == 0
    assert _purchases() == 0


@pytest.mark.django_db
def test_a_linked_customer_who_does_not_share_earns_but_the_balance_is_not_shown(
    shop, purposes, purchase_rule
):
    profile = _customer(shop.partner, purposes, grants=())

    response = _post(shop, _body(profile))

    assert response.status_code == 201
    assert (response.json()["points_credited"], response.json()["balance"]) == (50, None)
    assert _balance(profile) == 50


@pytest.mark.django_db
def test_without_the_events_scope_the_answer_is_403(make_partner, purposes, purchase_rule):
    reader = make_partner(scopes=["profiles:read", "loyalty:write"])
    profile = _customer(reader.partner, purposes)

    response = _post(reader, _body(profile))

    assert response.status_code == 403
    assert response.json()["type"] == "/api/problems/insufficient-scope"
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_a_refusal_is_kept_and_replayed_like_a_success(shop, purposes, purchase_rule):
    stranger = _customer(shop.partner, purposes)
    body = _body(stranger)
    body["profile"] = "3f0c2a9e-4d1b-4f5e-9a55-0c8b1f2e6d71"
    first = _post(shop, body)

    again = _post(shop, body)

    assert (first.status_code, again.status_code) == (404, 404)
    assert again.json() == first.json()
    assert again["Content-Type"] == "application/problem+json"
    assert again["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_a_failure_on_our_side_lets_the_retry_run(shop, purposes, purchase_rule, monkeypatch):
    profile = _customer(shop.partner, purposes)

    def broken(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(events_api, "partner_event_record", broken)
    shop.raise_request_exception = False
    assert _post(shop, _body(profile)).status_code == 500
    assert not IdempotencyRecord.objects.exists()
    monkeypatch.undo()

    assert _post(shop, _body(profile)).status_code == 201
    assert _balance(profile) == 50


@pytest.mark.django_db
def test_a_duplicate_while_the_first_is_answered_is_409(shop, purposes, purchase_rule):
    profile = _customer(shop.partner, purposes)
    # What the first request leaves while it runs: the key claimed, no answer yet.
    IdempotencyRecord.objects.create(
        partner=shop.partner, key="order-1001", request_hash=_fingerprint_of(_body(profile))
    )

    response = _post(shop, _body(profile))

    assert response.status_code == 409
    assert response.json()["type"] == "/api/problems/idempotency-in-progress"
    assert _purchases() == 0


@pytest.mark.django_db
def test_a_key_whose_answer_never_came_is_taken_over_after_a_while(shop, purposes, purchase_rule):
    profile = _customer(shop.partner, purposes)
    IdempotencyRecord.objects.create(
        partner=shop.partner,
        key="order-1001",
        request_hash=_fingerprint_of(_body(profile)),
        created_at=timezone.now() - timedelta(minutes=10),
    )

    response = _post(shop, _body(profile))

    assert response.status_code == 201
    assert IdempotencyRecord.objects.get().response_status == 201


def _fingerprint_of(body) -> str:
    """The fingerprint a request with this body gets, without running it."""
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from apps.partners.api.idempotency import request_fingerprint
    from apps.partners.api.parsers import StrictJSONParser

    raw = APIRequestFactory().post(URL, body, format="json")
    return request_fingerprint(Request(raw, parsers=[StrictJSONParser()]))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("properties", "field"),
    [
        (["order", "A-1001"], "properties"),
        ("order=A-1001", "properties"),
        ({f"p{n}": n for n in range(51)}, "properties"),
        ({"bad key!": 1}, "properties"),
        ({"k" * 61: 1}, "properties"),
        ({"note": "x" * 501}, "properties"),
        ({"nested": {"a": 1}}, "properties"),
        ({"list": [1, 2]}, "properties"),
        ({"profile": "00000000-0000-0000-0000-000000000000"}, "properties"),
        ({"idempotency_key": "steal"}, "properties"),
    ],
)
def test_properties_must_be_a_small_flat_object(shop, purposes, purchase_rule, properties, field):
    profile = _customer(shop.partner, purposes)

    response = _post(shop, _body(profile, properties=properties))

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert _purchases() == 0
    assert not LedgerEntry.objects.exists()


@pytest.mark.django_db
def test_unknown_fields_are_listed_and_refused(shop, purposes, purchase_rule):
    profile = _customer(shop.partner, purposes)

    response = _post(shop, _body(profile, points=1000, propertys={"a": 1}))

    assert response.status_code == 400
    fields = sorted(e["field"] for e in response.json()["errors"])
    assert fields == ["points", "propertys"]
    assert _purchases() == 0


@pytest.mark.django_db
def test_an_event_from_the_future_is_refused(shop, purposes, purchase_rule):
    profile = _customer(shop.partner, purposes)
    tomorrow = (timezone.now() + timedelta(days=1)).isoformat()

    response = _post(shop, _body(profile, occurred_at=tomorrow))

    assert response.status_code == 400
    assert _purchases() == 0


def _raw_bodies(profile) -> dict[str, bytes]:
    head = f'{{"type":"purchase","profile":"{profile.public_id}","properties":'
    return {
        "nul": (head + '{"note":"a\\u0000b"}}').encode(),
        "lone surrogate": (head + '{"note":"\\ud800"}}').encode(),
        "1000 deep": (head + '{"a":' + "[" * 1000 + "]" * 1000 + "}}").encode(),
        "10 MB": (head + '{"note":"' + "x" * 10_000_000 + '"}}').encode(),
        "malformed": (head + '{"note":').encode(),
        "not utf-8": (head + '{"note":"\xe4"}}').encode("latin-1"),
        "NaN": (head + '{"amount":NaN}}').encode(),
        "huge number": (head + '{"amount":1e999}}').encode(),
        "array": b"[]",
        "empty": b"",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "case",
    [
        "nul",
        "lone surrogate",
        "1000 deep",
        "10 MB",
        "malformed",
        "not utf-8",
        "NaN",
        "huge number",
        "array",
        "empty",
    ],
)
def test_a_bad_body_is_a_problem_and_changes_nothing(shop, purposes, purchase_rule, case):
    profile = _customer(shop.partner, purposes)

    response = _post_raw(shop, _raw_bodies(profile)[case])

    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == response.status_code
    assert _purchases() == 0
    assert not LedgerEntry.objects.exists()
    assert not IdempotencyRecord.objects.filter(response_status__lt=400).exists()


@pytest.mark.django_db
def test_an_unreadable_body_keeps_no_key(shop, purposes, purchase_rule):
    profile = _customer(shop.partner, purposes)

    _post_raw(shop, _raw_bodies(profile)["malformed"])

    assert not IdempotencyRecord.objects.exists()
    assert _post(shop, _body(profile)).status_code == 201


@pytest.mark.django_db
def test_records_older_than_two_days_are_forgotten(shop):
    now = timezone.now()
    for key, age in (("old", timedelta(hours=49)), ("recent", timedelta(hours=25))):
        IdempotencyRecord.objects.create(
            partner=shop.partner, key=key, request_hash="x", created_at=now - age
        )

    assert forget_idempotency_records_task() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["recent"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_200_concurrent_identical_posts_credit_once(shop, purposes, purchase_rule):
    profile = _customer(shop.partner, purposes)
    token = shop._credentials["HTTP_AUTHORIZATION"]
    body = _body(profile, properties={"order": "A-1001"})
    answers: list[tuple[int, dict]] = []

    def post_four_times(n: int) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=token)
        for _ in range(4):
            response = _post(client, body)
            answers.append((response.status_code, response.json()))

    # 50 connections (PostgreSQL allows 100) post 4 times each, all at once.
    failures = run_in_parallel(50, post_four_times)

    assert failures == []
    assert len(answers) == 200
    assert {code for code, _body in answers} <= {201, 409}
    created = [body for code, body in answers if code == 201]
    assert created
    assert all(body == created[0] for body in created)
    assert created[0]["points_credited"] == 50
    assert LedgerEntry.objects.filter(account__profile=profile).count() == 1
    assert _balance(profile) == 50
    assert _purchases() == 1
    assert IdempotencyRecord.objects.get().response_status == 201


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_a_property_refusal_says_what_is_wrong(shop, purposes, purchase_rule):
    profile = _customer(shop.partner, purposes)

    response = _post(shop, _body(profile, properties={"note": "x" * 501}))

    message = response.json()["errors"][0]["message"]
    assert message == "Property texts have at most 500 characters: note."
