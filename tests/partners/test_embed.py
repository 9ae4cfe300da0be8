import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.loyalty.models import Account
from apps.loyalty.services import ledger_credit
from apps.partners.models import EmbedTokenUse, PartnerClient
from apps.profiles.models import Identifier, Profile
from apps.profiles.selectors import SESSION_KEY
from tests.profiles.helpers import browse_as

pytestmark = pytest.mark.django_db

EMBED = reverse("partners:embed")
SHARED_SECRET = "s3cr3t-shared-with-the-shop-0123456789"


def _pem(public_key) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


@pytest.fixture
def shop_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def shop(shop_key) -> PartnerClient:
    return PartnerClient.objects.create(
        name="Shop", key="shop", embed_algorithm="EdDSA", embed_key=_pem(shop_key.public_key())
    )


@pytest.fixture
def crm() -> PartnerClient:
    return PartnerClient.objects.create(
        name="CRM", key="crm", embed_algorithm="HS256", embed_key=SHARED_SECRET
    )


def _claims(**changes) -> dict:
    now = int(time.time())
    claims = {
        "iss": "shop",
        "sub": "C-1001",
        "aud": "resonanz",
        "iat": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
    }
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


def _token(key, **changes) -> str:
    return jwt.encode(_claims(**changes), key, algorithm="EdDSA")


def _open(client, token: str, next_path: str = "/c/snack-typ/"):
    """The partner's link opened: the page that asks before signing in."""
    return client.get(EMBED, {"token": token, "next": next_path})


def _enter(client, token: str, next_path: str = "/c/snack-typ/"):
    """The tap on that page's button."""
    return client.post(EMBED, {"token": token, "next": next_path})


def test_opening_the_link_asks_first_and_signs_nobody_in(client, shop, shop_key):
    response = _open(client, _token(shop_key, sub="C-1001"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Shop" in page
    assert "••••01" in page
    assert "C-1001" not in page
    assert 'method="post"' in page
    assert "csrfmiddlewaretoken" in page
    assert response["Referrer-Policy"] == "same-origin"
    assert SESSION_KEY not in client.session
    assert not Profile.objects.exists()
    assert not EmbedTokenUse.objects.exists()


def test_a_link_opened_by_a_mail_scanner_still_signs_its_customer_in_once(client, shop, shop_key):
    token = _token(shop_key)
    _open(client, token)
    _open(client, token)

    response = _enter(client, token)

    assert response.status_code == 302
    assert Profile.objects.get(pk=client.session[SESSION_KEY]).kind == Profile.Kind.MEMBER
    assert EmbedTokenUse.objects.count() == 1


def test_signing_in_needs_the_pages_csrf_token(shop, shop_key):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)

    response = browser.post(EMBED, {"token": _token(shop_key), "next": "/me/"})

    assert response.status_code == 403
    assert not Profile.objects.exists()
    assert not EmbedTokenUse.objects.exists()


def test_the_page_keeps_next_on_this_site(client, shop, shop_key):
    page = _open(client, _token(shop_key), next_path="https://evil.example/").content.decode()

    assert '<input type="hidden" name="next" value="/">' in page


def test_a_used_token_is_refused_when_opened_again(client, shop, shop_key):
    token = _token(shop_key)
    _enter(client, token)

    response = _open(client, token)

    assert response.status_code == 400
    assert b"bereits verwendet" in response.content


def test_a_signed_token_signs_the_customer_in_and_links_the_partners_id(client, shop, shop_key):
    response = _enter(client, _token(shop_key))

    assert response.status_code == 302
    assert response["Location"] == "/c/snack-typ/"
    profile = Profile.objects.get(pk=client.session[SESSION_KEY])
    assert profile.kind == Profile.Kind.MEMBER
    identifier = Identifier.objects.get(profile=profile)
    assert (identifier.kind, identifier.namespace, identifier.value) == (
        "external",
        "shop",
        "C-1001",
    )


def test_the_same_customer_comes_back_to_the_same_profile(client, shop, shop_key):
    _enter(client, _token(shop_key))
    first = client.session[SESSION_KEY]
    client.post(reverse("profiles:sign-out"))

    _enter(client, _token(shop_key))

    assert client.session[SESSION_KEY] == first
    assert Profile.objects.count() == 1


def test_a_token_never_pulls_the_browsers_anonymous_plays_into_the_partners_customer(
    client, shop, shop_key
):
    """A token can be passed on: whoever passes it must not receive what this browser played."""
    from tests.profiles.factories import ProfileFactory

    anonymous = ProfileFactory()
    ledger_credit(profile=anonymous, points=40, idempotency_key="played", reason="quiz")
    browse_as(client, anonymous)

    _enter(client, _token(shop_key))

    signed_in = Profile.objects.get(pk=client.session[SESSION_KEY])
    assert signed_in != anonymous
    anonymous.refresh_from_db()
    assert anonymous.kind == Profile.Kind.ANONYMOUS
    assert Account.objects.get(profile=anonymous).balance == 40


def test_hs256_partners_are_supported_too(client, crm):
    token = jwt.encode(_claims(iss="crm"), SHARED_SECRET, algorithm="HS256")

    assert _enter(client, token).status_code == 302
    assert Identifier.objects.get().namespace == "crm"


def test_a_replayed_token_is_refused(client, shop, shop_key):
    token = _token(shop_key)
    _enter(client, token)

    response = _enter(client, token)

    assert response.status_code == 400
    assert b"bereits verwendet" in response.content
    assert EmbedTokenUse.objects.count() == 1


def _forged_tokens(shop_key: Ed25519PrivateKey) -> dict[str, str]:
    stranger = Ed25519PrivateKey.generate()
    valid = _token(shop_key)
    header, _payload, signature = valid.split(".")
    other_payload = jwt.encode(_claims(sub="C-9999"), stranger, algorithm="EdDSA").split(".")[1]
    public_pem = _pem(shop_key.public_key())
    return {
        "expired": _token(shop_key, iat=int(time.time()) - 900, exp=int(time.time()) - 300),
        "lives-too-long": _token(shop_key, exp=int(time.time()) + 3600),
        "foreign-key": _token(stranger),
        "tampered": f"{header}.{other_payload}.{signature}",
        "alg-none": jwt.encode(_claims(), None, algorithm="none"),
        "hs256-with-the-public-key": _hs256_signed_with(public_pem),
        "wrong-audience": _token(shop_key, aud="someone-else"),
        "unknown-issuer": _token(shop_key, iss="nobody"),
        "no-jti": _token(shop_key, jti=None),
        "no-subject": _token(shop_key, sub=None),
        "empty-subject": _token(shop_key, sub="   "),
        "no-expiry": _token(shop_key, exp=None),
        "issuer-with-nul": _token(shop_key, iss="shop\u0000"),
        "string-expiry": _token(shop_key, exp=str(int(time.time()) + 300)),
        "jti-with-nul": _token(shop_key, jti="abc\u0000"),
        "garbage": "not.a.token",
        "empty": "",
        "huge": "a" * 10000,
    }


def _hs256_signed_with(secret: str) -> str:
    """The classic confusion attack: the public key used as an HMAC secret."""
    import base64
    import hashlib
    import hmac
    import json

    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    signing_input = f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(_claims())}"
    mac = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


@pytest.mark.parametrize(
    "kind",
    [
        "expired",
        "lives-too-long",
        "foreign-key",
        "tampered",
        "alg-none",
        "hs256-with-the-public-key",
        "wrong-audience",
        "unknown-issuer",
        "no-jti",
        "no-subject",
        "empty-subject",
        "no-expiry",
        "issuer-with-nul",
        "string-expiry",
        "jti-with-nul",
        "garbage",
        "empty",
        "huge",
    ],
)
def test_every_kind_of_bad_token_gets_a_clear_400_and_changes_nothing(client, shop, shop_key, kind):
    token = _forged_tokens(shop_key)[kind]

    for response in (_open(client, token), _enter(client, token)):
        assert response.status_code == 400
        assert b'role="alert"' in response.content
    assert not Profile.objects.exists()
    assert not Identifier.objects.exists()
    assert SESSION_KEY not in client.session


def test_an_inactive_partner_cannot_sign_anyone_in(client, shop, shop_key):
    PartnerClient.objects.filter(pk=shop.pk).update(is_active=False)

    assert _enter(client, _token(shop_key)).status_code == 400


def test_next_must_stay_on_this_site(client, shop, shop_key):
    response = _enter(client, _token(shop_key), next_path="https://evil.example/")

    assert response["Location"] == reverse("home")


def test_too_many_entries_from_one_address_get_429(client, shop, shop_key, settings):
    settings.EMBED_LIMIT_PER_IP = (2, 60)
    statuses = [_open(client, "garbage").status_code, _enter(client, "garbage").status_code]
    statuses.append(_open(client, "garbage").status_code)

    assert statuses == [400, 400, 429]


@pytest.mark.parametrize(
    ("algorithm", "key", "message"),
    [
        ("HS256", "short", "32"),
        ("EdDSA", "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----", "PEM"),
    ],
)
def test_partner_keys_are_checked_when_saved(algorithm, key, message, english):
    partner = PartnerClient(name="X", key="x", embed_algorithm=algorithm, embed_key=key)

    with pytest.raises(ValidationError, match=message):
        partner.full_clean()


def test_used_token_ids_are_forgotten_once_the_tokens_would_have_expired(client, shop, shop_key):
    from datetime import timedelta

    from django.utils import timezone

    from apps.partners.services import embed_token_uses_forget_expired

    _enter(client, _token(shop_key))
    _enter(client, _token(shop_key, sub="C-2"))
    EmbedTokenUse.objects.filter(pk=EmbedTokenUse.objects.first().pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert embed_token_uses_forget_expired() == 1
    assert EmbedTokenUse.objects.count() == 1


def test_the_embed_link_command_makes_a_link_that_signs_in_once(client, crm, capsys):
    from django.core.management import call_command

    call_command("embed_link", partner="crm", customer="4711", next="/me/")
    url = capsys.readouterr().out.strip()
    path = url.removeprefix("http://127.0.0.1:8000")

    from urllib.parse import parse_qs, urlsplit

    query = {key: values[0] for key, values in parse_qs(urlsplit(path).query).items()}

    assert client.get(path).status_code == 200
    assert client.post(EMBED, query)["Location"] == "/me/"
    assert Identifier.objects.get().value == "4711"
    assert client.get(path).status_code == 400


def test_the_embed_link_command_cannot_sign_for_an_eddsa_partner(shop):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="private key"):
        call_command("embed_link", partner="shop", customer="4711")
