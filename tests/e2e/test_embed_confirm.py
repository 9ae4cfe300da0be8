"""A partner's embed link asks before it signs anyone in, at phone and desktop width."""

import time
import uuid

import jwt
import pytest
from playwright.sync_api import Page, expect

from apps.partners.models import EmbedTokenUse, PartnerClient
from apps.profiles.models import Identifier
from tests.e2e.tour import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SECRET = "s3cr3t-shared-with-the-shop-0123456789"


def _token() -> str:
    now = int(time.time())
    claims = {
        "iss": "snackshop",
        "sub": "K-204711",
        "aud": "resonanz",
        "iat": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, SECRET, algorithm="HS256")


def test_the_embed_link_shows_whose_account_it_opens_and_signs_in_on_the_tap(
    live_server, page: Page, console_errors
):
    PartnerClient.objects.create(
        name="Snack Shop", key="snackshop", embed_algorithm="HS256", embed_key=SECRET
    )

    page.goto(f"{live_server.url}/embed/?token={_token()}&next=/me/points/")

    expect(
        page.get_by_role("heading", name="Weiter als Kundin oder Kunde von Snack Shop")
    ).to_be_visible()
    expect(page.get_by_text("••••11")).to_be_visible()
    screenshot(page, "embed-confirm")
    assert not EmbedTokenUse.objects.exists()

    page.get_by_role("button", name="Weiter").click()

    expect(page).to_have_url(f"{live_server.url}/me/points/")
    assert EmbedTokenUse.objects.count() == 1
    assert Identifier.objects.get(namespace="snackshop").value == "K-204711"
    assert console_errors == []
