import jsonschema
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import translation

from apps.consent.receipts import receipt_build, receipt_sign, receipt_verify
from apps.consent.services import consent_grant
from tests.consent.kantara import KANTARA_V1_1_SCHEMA

pytestmark = pytest.mark.django_db


@pytest.fixture
def receipt(profile, purpose, decision_context) -> dict:
    event = consent_grant(
        profile=profile, purpose_version=purpose.current_version, **decision_context
    )
    return receipt_build(event=event, site_url="https://resonanz.example")


def test_receipt_build_follows_the_kantara_v1_1_field_set(receipt, profile):
    jsonschema.validate(receipt, KANTARA_V1_1_SCHEMA)
    assert receipt["piiPrincipalId"] == str(profile.public_id)
    assert receipt["services"][0]["purposes"][0]["purposeCategory"] == ["personalization"]
    assert receipt["x-resonanz"]["action"] == "grant"


def test_receipt_build_names_the_purpose_in_the_language_the_customer_saw(
    profile, purpose, decision_context
):
    event = consent_grant(
        profile=profile,
        purpose_version=purpose.current_version,
        **{**decision_context, "language": "en"},
    )

    with translation.override("de"):
        receipt = receipt_build(event=event, site_url="https://resonanz.example")

    assert receipt["services"][0]["purposes"][0]["purpose"] == "Purpose personalization"


def test_receipt_sign_produces_a_jws_that_verifies_with_the_published_key(receipt):
    token = receipt_sign(receipt)

    assert receipt_verify(token, public_key=receipt["publicKey"]) == receipt


def test_receipt_verify_rejects_a_tampered_receipt(receipt):
    header, _payload, signature = receipt_sign(receipt).split(".")
    forged = receipt_sign({**receipt, "piiPrincipalId": "someone-else"}).split(".")[1]

    with pytest.raises(jwt.InvalidSignatureError):
        receipt_verify(f"{header}.{forged}.{signature}")


def test_receipt_verify_rejects_another_key(receipt):
    stranger = Ed25519PrivateKey.generate()
    token = jwt.encode(receipt, stranger, algorithm="EdDSA")

    with pytest.raises(jwt.InvalidSignatureError):
        receipt_verify(token)
