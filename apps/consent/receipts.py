"""Consent receipts in the Kantara Consent Receipt v1.1 field set, signed as JWS (EdDSA).

The signing key comes from CONSENT_RECEIPT_SIGNING_KEY (an Ed25519 private key in PEM) or,
when that is not set, is derived from SECRET_KEY, so every deployment can sign without storing
another secret (set a dedicated key before rotating SECRET_KEY). The public key is published at
/.well-known/consent-receipt-keys.json; each JWS names it with `kid`, and the receipt carries
it as Kantara's `publicKey`. The same compact JWS is served on its own as `receipt.jwt`
(`application/jose`), where RFC 7515 verifiers look for it, and inside the JSON form as `jws`.
"""

import base64
import hashlib
import json
from functools import cache

import jwt
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from jwt.algorithms import OKPAlgorithm

from apps.consent.collection_points import collection_point_label
from apps.consent.models import ConsentEvent

KANTARA_VERSION = "KI-CR-v1.1.0"
JWS_ALGORITHM = "EdDSA"


@cache
def _signing_key(configured_pem: str, secret_key: str) -> Ed25519PrivateKey:
    if configured_pem:
        key = serialization.load_pem_private_key(configured_pem.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("CONSENT_RECEIPT_SIGNING_KEY must be an Ed25519 private key.")
        return key
    seed = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"resonanz consent receipts"
    ).derive(secret_key.encode())
    return Ed25519PrivateKey.from_private_bytes(seed)


def signing_key() -> Ed25519PrivateKey:
    return _signing_key(settings.CONSENT_RECEIPT_SIGNING_KEY, settings.SECRET_KEY)


def public_key_pem() -> str:
    return (
        signing_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def public_jwk() -> dict[str, str]:
    """The verification key as a JWK, with its RFC 7638 thumbprint as `kid`."""
    jwk = json.loads(OKPAlgorithm.to_jwk(signing_key().public_key()))
    canonical = json.dumps(
        {"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]}, separators=(",", ":")
    )
    kid = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=")
    return {**jwk, "kid": kid.decode(), "use": "sig", "alg": JWS_ALGORITHM}


def receipt_build(*, event: ConsentEvent, site_url: str) -> dict:
    """The Kantara v1.1 receipt of one consent event, plus Resonanz's own details under
    `x-resonanz`: the action as stored, the decision it was (a "no" is a refusal or a
    withdrawal; older events stored both as a withdrawal), the version shown, the evidence
    hashes."""
    purpose = event.purpose
    version = event.purpose_version
    with translation.override(event.language or None):
        purpose_title = version.title
        # Where it was decided, as the customer reads it (a brand's site for a framed
        # campaign); the key itself stays under `x-resonanz`. A list of events named at once
        # (`collection_points_name`) is not looked up again per receipt.
        place = getattr(event, "collection_point_label", None) or collection_point_label(
            event.collection_point
        )
        method = f"{event.get_channel_display()}: {place}"
    controller = settings.CONSENT_CONTROLLER
    return {
        "version": KANTARA_VERSION,
        "jurisdiction": settings.CONSENT_JURISDICTION,
        "consentTimestamp": int(event.occurred_at.timestamp()),
        "collectionMethod": method,
        "consentReceiptID": str(event.receipt_id),
        "publicKey": public_key_pem(),
        "language": event.language,
        "piiPrincipalId": str(event.profile.public_id),
        "piiControllers": [
            {
                "piiController": controller["name"],
                "contact": controller["contact"],
                "address": {"streetAddress": controller["address"]},
                "email": controller["email"],
                "phone": controller["phone"],
                "piiControllerUrl": controller["url"],
            }
        ],
        "policyUrl": settings.PRIVACY_POLICY_URL,
        "services": [
            {
                "service": settings.BRAND_NAME,
                "purposes": [
                    {
                        "purpose": purpose_title,
                        "purposeCategory": [purpose.key],
                        "consentType": "EXPLICIT",
                        "piiCategory": ["declared preferences"],
                        "primaryPurpose": False,
                        "termination": (
                            f"Withdraw at any time at {site_url}{reverse('consent:center')}; "
                            f"data collected under this purpose is kept {purpose.retention_days} days."
                        ),
                        "thirdPartyDisclosure": purpose.is_sale_or_share,
                        **({"thirdPartyName": "partners"} if purpose.is_sale_or_share else {}),
                    }
                ],
            }
        ],
        "sensitive": purpose.allows_special_category,
        "spiCat": ["special-category data"] if purpose.allows_special_category else [],
        "x-resonanz": {
            "action": event.action,
            "decision": event.decided,
            "trigger": event.trigger,
            "purposeKey": purpose.key,
            "purposeVersion": version.version,
            "collectionPoint": event.collection_point,
            "evidence": {
                "ipHmac": event.ip_hmac,
                "userAgentHmac": event.user_agent_hmac,
                "globalPrivacyControl": event.gpc_signal,
            },
        },
    }


def receipt_sign(receipt: dict) -> str:
    return jwt.encode(
        receipt,
        signing_key(),
        algorithm=JWS_ALGORITHM,
        headers={"typ": "JWT", "kid": public_jwk()["kid"]},
    )


def receipt_verify(token: str, public_key: Ed25519PublicKey | str | None = None) -> dict:
    """The receipt inside a JWS, if the signature holds; raises jwt.InvalidSignatureError."""
    key = public_key or signing_key().public_key()
    if isinstance(key, str):
        key = serialization.load_pem_public_key(key.encode())
    return jwt.decode(token, key, algorithms=[JWS_ALGORITHM], options={"verify_aud": False})
