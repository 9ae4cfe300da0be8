"""What every endpoint shares: tokens, scopes, rate limits, problem details, request ids."""

import base64
import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.utils import timezone
from oauth2_provider.models import AccessToken
from rest_framework.test import APIClient

from apps.partners.api import ratelimit
from apps.partners.services import partner_client_create
from tests.concurrency import run_in_parallel

pytestmark = pytest.mark.django_db


def _token_request(client, client_id, secret, **data):
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return client.post(
        "/api/oauth/token/",
        {"grant_type": "client_credentials", **data},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )


def test_client_credentials_give_a_short_token_limited_to_the_partners_scopes(client, purposes):
    partner, secret = partner_client_create(
        name="Shop", key="shop", scopes=["profiles:read"], purpose_keys=["partner_sharing"]
    )

    response = _token_request(
        client, partner.application.client_id, secret, scope="profiles:read loyalty:write"
    )

    assert response.status_code in (400, 401)
    response = _token_request(client, partner.application.client_id, secret)
    assert response.status_code == 200
    body = response.json()
    assert body["expires_in"] == 15 * 60
    assert body["scope"] == "profiles:read"
    stored = AccessToken.objects.get()
    assert stored.token == ""  # only the checksum is kept
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert api.get("/api/v1/profiles/", {"external_id": "1"}).status_code == 404
    assert api.get("/api/v1/campaigns/").status_code == 403


def test_a_wrong_client_secret_gets_no_token(client, purposes):
    partner, _secret = partner_client_create(
        name="Shop", key="shop", scopes=["profiles:read"], purpose_keys=[]
    )

    response = _token_request(client, partner.application.client_id, "guess")

    assert response.status_code == 401
    assert "access_token" not in response.json()


def test_the_token_endpoint_is_rate_limited_per_address(client, purposes):
    for _attempt in range(30):
        _token_request(client, "nobody", "guess")

    response = _token_request(client, "nobody", "guess")

    assert response.status_code == 429
    assert response["Retry-After"] == "60"


def test_an_expired_token_is_refused(shop):
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))

    response = shop.get("/api/v1/profiles/", {"external_id": "1"})

    assert response.status_code == 401
    assert response.json()["type"] == "/api/problems/invalid-token"


def test_a_deactivated_partner_is_refused_at_once(shop):
    shop.partner.is_active = False
    shop.partner.save()

    assert shop.get("/api/v1/profiles/", {"external_id": "1"}).status_code == 401


def test_a_token_without_the_scope_gets_403_naming_it(make_partner):
    client = make_partner(scopes=["consents:read"])

    response = client.get("/api/v1/profiles/", {"external_id": "1"})

    assert response.status_code == 403
    body = response.json()
    assert body["type"] == "/api/problems/insufficient-scope"
    assert "profiles:read" in body["detail"]


def test_a_scope_taken_from_the_partner_stops_working_for_tokens_already_issued(shop):
    shop.partner.scopes = ["consents:read"]
    shop.partner.save()

    assert shop.get("/api/v1/profiles/", {"external_id": "1"}).status_code == 403


def test_rate_limit_headers_and_429_with_retry_after(make_partner):
    client = make_partner()
    client.partner.requests_per_minute = 3
    client.partner.save()

    answers = [client.get("/api/v1/profiles/", {"external_id": "1"}) for _ in range(4)]

    assert [a.status_code for a in answers] == [404, 404, 404, 429]
    assert answers[0]["RateLimit"].startswith('"partner";r=2;t=')
    assert answers[3]["Content-Type"] == "application/problem+json"
    assert answers[3].json()["type"] == "/api/problems/rate-limited"
    assert int(answers[3]["Retry-After"]) > 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_cannot_slip_past_the_limit(make_partner, monkeypatch):
    # All requests fall into one window, however long a loaded machine takes for them.
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_030.0))
    caches["ratelimit"].clear()
    client = make_partner()
    client.partner.requests_per_minute = 10
    client.partner.save()
    token = client._credentials["HTTP_AUTHORIZATION"]
    statuses = []

    def request(_n):
        own = APIClient()
        own.credentials(HTTP_AUTHORIZATION=token)
        statuses.append(own.get("/api/v1/profiles/", {"external_id": "1"}).status_code)

    assert run_in_parallel(30, request) == []
    assert statuses.count(429) == 20


def test_errors_are_translated_from_accept_language(make_partner):
    client = make_partner(scopes=["consents:read"])

    english = client.get("/api/v1/profiles/", {"external_id": "1"})
    german = client.get("/api/v1/profiles/", {"external_id": "1"}, HTTP_ACCEPT_LANGUAGE="de")

    assert english.json()["title"] == "The token lacks a scope."
    assert german.json()["title"] == "Dem Token fehlt eine Berechtigung."
    assert german["Content-Language"] == "de"


def test_every_response_carries_a_request_id(shop):
    mine = shop.get("/api/v1/profiles/", {"external_id": "1"}, HTTP_X_REQUEST_ID="req-12345678")
    theirs = shop.get("/api/v1/profiles/", {"external_id": "1"})

    assert mine["X-Request-ID"] == "req-12345678"
    assert len(theirs["X-Request-ID"]) == 32


def test_unknown_api_addresses_answer_problem_json(shop):
    response = shop.get("/api/v1/nothing-here/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b"{not json", "application/json", 400),
        (b'{"external_id": NaN}', "application/json", 400),
        (b'{"external_id": "a\\u0000b"}', "application/json", 400),
        (b'{"external_id": "\\ud800"}', "application/json", 400),
        (b"[" * 1000 + b"]" * 1000, "application/json", 400),
        (b'{"external_id": 4711, "extra": 1}', "application/json", 400),
        (b'{"external_id": ["4711"]}', "application/json", 400),
        (b"external_id=4711", "application/x-www-form-urlencoded", 415),
        (b"\xff\xfe", "application/json", 400),
    ],
)
def test_bad_bodies_get_problem_details_and_change_nothing(shop, body, content_type, expected):
    from apps.profiles.models import Profile

    response = shop.generic("POST", "/api/v1/profiles/", body, content_type=content_type)

    assert response.status_code == expected
    assert response["Content-Type"] == "application/problem+json"
    assert not Profile.objects.exists()


def test_a_ten_megabyte_body_is_refused(shop):
    body = json.dumps({"external_id": "x" * 10_000_000}).encode()

    response = shop.generic("POST", "/api/v1/profiles/", body, content_type="application/json")

    assert response.status_code == 413


def test_linking_twice_finds_the_same_customer(shop):
    first = shop.post("/api/v1/profiles/", {"external_id": "4711"}, format="json")
    again = shop.post("/api/v1/profiles/", {"external_id": "4711"}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]


def test_create_partner_client_prints_the_secret_once_and_stores_a_hash(purposes):
    from io import StringIO

    from django.core.management import call_command
    from oauth2_provider.models import Application

    out = StringIO()
    call_command(
        "create_partner_client",
        name="Shop",
        key="shop",
        scopes=["profiles:read"],
        purposes=["partner_sharing"],
        stdout=out,
    )

    secret = next(line.split()[-1] for line in out.getvalue().splitlines() if "secret" in line)
    stored = Application.objects.get().client_secret
    assert secret not in stored
    assert stored.startswith("pbkdf2_") or "$" in stored


def test_the_api_docs_are_served_without_inline_scripts(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>" not in html
    assert "drf_spectacular_sidecar" in html


@pytest.mark.parametrize("position", ["abc", "1.5", ""])
def test_a_forged_cursor_is_404_not_500(shop, position):
    import base64
    from urllib.parse import urlencode

    cursor = base64.b64encode(urlencode({"o": 0, "p": position}).encode()).decode()

    for path in ("/api/v1/changes/", "/api/v1/campaigns/", "/api/v1/segments/"):
        response = shop.get(path, {"cursor": cursor})
        assert response.status_code in (200, 404), path
        assert response.status_code != 500


def test_linking_answers_only_what_the_partner_already_knows(shop):
    body = shop.post("/api/v1/profiles/", {"external_id": "4711"}, format="json").json()

    assert set(body) == {"id", "external_id"}
