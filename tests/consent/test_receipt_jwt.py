"""The receipt as a compact JWS (RFC 7515), checked the way a stranger would: with nothing but
the published key set and a standard library, never with our own code."""

import base64
import json
import uuid

import jwt
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.urls import reverse

from apps.consent.services import consent_grant

pytestmark = pytest.mark.django_db

JWKS_PATH = "/.well-known/consent-receipt-keys.json"


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture
def event(profile, purpose, decision_context):
    return consent_grant(
        profile=profile, purpose_version=purpose.current_version, **decision_context
    )


def _jwt(client, event):
    return client.get(reverse("consent:receipt-jwt", args=[event.receipt_id]))


def test_receipt_jwt_is_a_compact_jws_served_as_application_jose(visitor, event):
    response = _jwt(visitor, event)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/jose"
    assert response.content.count(b".") == 2
    assert f"consent-receipt-{event.receipt_id}.jwt" in response["Content-Disposition"]


def test_receipt_jwt_verifies_with_the_published_key_alone(visitor, event):
    token = _jwt(visitor, event).content.decode()
    keys = visitor.get(JWKS_PATH).json()["keys"]

    header = jwt.get_unverified_header(token)
    (jwk,) = [key for key in keys if key["kid"] == header["kid"]]
    payload = jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=[header["alg"]])

    assert header["alg"] == "EdDSA"
    assert payload["consentReceiptID"] == str(event.receipt_id)


def test_receipt_jwt_verifies_by_hand_from_rfc_7515_and_rfc_8037(visitor, event):
    token = _jwt(visitor, event).content.decode()
    (jwk,) = visitor.get(JWKS_PATH).json()["keys"]
    protected, payload, signature = token.split(".")

    key = Ed25519PublicKey.from_public_bytes(_b64url(jwk["x"]))
    key.verify(_b64url(signature), f"{protected}.{payload}".encode())

    assert json.loads(_b64url(protected)) == {"alg": "EdDSA", "kid": jwk["kid"], "typ": "JWT"}
    with pytest.raises(InvalidSignature):
        key.verify(_b64url(signature), f"{protected}.{payload}x".encode())


def test_receipt_jwt_payload_is_the_json_receipt_without_its_jws_member(visitor, event):
    token = _jwt(visitor, event).content.decode()
    body = visitor.get(reverse("consent:receipt-json", args=[event.receipt_id])).json()

    payload = json.loads(_b64url(token.split(".")[1]))

    assert body.pop("jws") == token
    assert payload == body


def test_the_json_and_html_receipts_announce_the_jws(visitor, event):
    jwt_url = f"http://testserver{reverse('consent:receipt-jwt', args=[event.receipt_id])}"
    expected = f'<{jwt_url}>; rel="alternate"; type="application/jose"'

    as_json = visitor.get(reverse("consent:receipt-json", args=[event.receipt_id]))
    as_html = visitor.get(reverse("consent:receipt", args=[event.receipt_id]))

    assert as_json["Link"] == expected
    assert as_html["Link"] == expected
    assert reverse("consent:receipt-jwt", args=[event.receipt_id]) in as_html.content.decode()


def test_the_html_receipt_names_the_jws_link_in_german(visitor, event):
    html = visitor.get(reverse("consent:receipt", args=[event.receipt_id])).content.decode()

    assert "als kompakte JWS" in html


def test_someone_elses_receipt_jwt_is_not_found(client, event):
    response = _jwt(client, event)

    assert response.status_code == 404
    assert response.json() == {"error": "Diesen Beleg konnten wir nicht finden."}
    assert response["Content-Type"] == "application/json"


def test_a_forged_receipt_jwt_id_is_not_found(visitor):
    response = visitor.get(reverse("consent:receipt-jwt", args=[uuid.uuid4()]))

    assert response.status_code == 404


def test_receipt_jwt_only_answers_get(visitor, event):
    response = visitor.post(reverse("consent:receipt-jwt", args=[event.receipt_id]))

    assert response.status_code == 405
