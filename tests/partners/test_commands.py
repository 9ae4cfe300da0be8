"""create_partner_client sets the key embed tokens are checked with, never from a secret
typed on the command line."""

import time
import uuid
from io import StringIO
from urllib.parse import parse_qsl, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.urls import reverse

from apps.partners.models import PartnerClient
from apps.profiles.models import Identifier

pytestmark = pytest.mark.django_db

SHARED_SECRET = "a-shared-secret-from-the-environment-0123456789"


def _create(*options: str) -> str:
    out = StringIO()
    call_command(
        "create_partner_client",
        "--name=Shop",
        "--key=shop",
        "--scope=profiles:read",
        *options,
        stdout=out,
    )
    return out.getvalue()


def _signs_in(client, token: str) -> bool:
    """The customer's tap on the embed page's "Continue" (a GET only asks)."""
    response = client.post(reverse("partners:embed"), {"token": token, "next": "/me/"})
    return response.status_code == 302 and Identifier.objects.filter(value="4711").exists()


def _claims() -> dict:
    now = int(time.time())
    return {
        "iss": "shop",
        "sub": "4711",
        "aud": "resonanz",
        "iat": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
    }


def test_an_hs256_secret_is_read_from_the_named_environment_variable(client, monkeypatch):
    monkeypatch.setenv("SHOP_EMBED_SECRET", SHARED_SECRET)

    out = _create("--embed-hs256-secret-from-env=SHOP_EMBED_SECRET")

    partner = PartnerClient.objects.get()
    assert (partner.embed_algorithm, partner.embed_key) == ("HS256", SHARED_SECRET)
    assert SHARED_SECRET not in out
    assert _signs_in(client, jwt.encode(_claims(), SHARED_SECRET, algorithm="HS256"))


def test_a_generated_hs256_secret_is_printed_once_and_works_with_embed_link(client, capsys):
    out = _create("--embed-hs256-generate")

    printed = next(line.split()[-1] for line in out.splitlines() if "embed_hs256_secret" in line)
    assert PartnerClient.objects.get().embed_key == printed
    assert len(printed) >= 32
    call_command("embed_link", partner="shop", customer="4711", next="/me/")
    link = urlsplit(capsys.readouterr().out.strip())
    assert client.get(f"{link.path}?{link.query}").status_code == 200
    assert client.post(link.path, dict(parse_qsl(link.query)))["Location"] == "/me/"


def test_an_ed25519_public_key_is_read_from_a_file(client, tmp_path):
    private = Ed25519PrivateKey.generate()
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (tmp_path / "shop.pem").write_bytes(pem)

    _create(f"--embed-public-key-file={tmp_path / 'shop.pem'}")

    partner = PartnerClient.objects.get()
    assert partner.embed_algorithm == "EdDSA"
    assert _signs_in(client, jwt.encode(_claims(), private, algorithm="EdDSA"))


def test_a_short_secret_is_refused_and_nothing_is_created(monkeypatch):
    monkeypatch.setenv("SHOP_EMBED_SECRET", "too-short")

    with pytest.raises(CommandError, match="32"):
        _create("--embed-hs256-secret-from-env=SHOP_EMBED_SECRET")

    assert not PartnerClient.objects.exists()


def test_an_unset_variable_is_refused_by_name(monkeypatch):
    monkeypatch.delenv("SHOP_EMBED_SECRET", raising=False)

    with pytest.raises(CommandError, match="SHOP_EMBED_SECRET"):
        _create("--embed-hs256-secret-from-env=SHOP_EMBED_SECRET")


def test_a_file_that_is_no_ed25519_key_is_refused(tmp_path):
    (tmp_path / "shop.pem").write_text("not a key")

    with pytest.raises(CommandError, match="PEM"):
        _create(f"--embed-public-key-file={tmp_path / 'shop.pem'}")

    assert not PartnerClient.objects.exists()


def test_without_an_embed_option_the_partner_cannot_send_customers_in():
    _create()

    assert PartnerClient.objects.get().embed_key == ""
