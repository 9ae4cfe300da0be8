"""A partner's signed-in customer inside the frame: signed in at once only in a frame on an
allowed site, otherwise after a tap; a bad token leaves the player open to play anonymously."""

import jwt
import pytest

from apps.partners.embed_entry import EMBED_PENDING_TOKEN_SESSION_KEY
from apps.partners.models import EmbedOrigin, EmbedTokenUse, PartnerClient
from apps.profiles.models import Identifier
from apps.profiles.selectors import SESSION_KEY
from tests.campaigns.factories import CampaignFactory
from tests.partners.test_embed import SHARED_SECRET, _claims

pytestmark = pytest.mark.django_db

SHOP = "https://shop.example"
CAMPAIGN = "/embed/c/snack-quiz/"
FRAMED = {"Sec-Fetch-Dest": "iframe", "Referer": f"{SHOP}/"}


@pytest.fixture(autouse=True)
def crm():
    CampaignFactory(slug="snack-quiz")
    partner = PartnerClient.objects.create(
        name="CRM", key="crm", embed_algorithm="HS256", embed_key=SHARED_SECRET
    )
    EmbedOrigin.objects.create(partner=partner, origin=SHOP)
    return partner


def _token(**changes) -> str:
    return jwt.encode(_claims(iss="crm", **changes), SHARED_SECRET, algorithm="HS256")


def test_a_token_in_a_frame_on_an_allowed_site_signs_in_at_once(client):
    response = client.get(CAMPAIGN, {"host": SHOP, "token": _token(sub="K-1")}, headers=FRAMED)

    assert response.status_code == 303
    assert response["Location"].startswith(f"{CAMPAIGN}?embed-session=")
    identifier = Identifier.objects.get(namespace="crm")
    assert identifier.value == "K-1"
    assert client.session[SESSION_KEY] == identifier.profile_id
    assert "SameSite=None; Partitioned" in response.cookies["sessionid"].OutputString()


def test_a_token_opened_outside_a_frame_asks_first_and_keeps_it_out_of_the_address(client):
    token = _token(sub="K-1")

    response = client.get(CAMPAIGN, {"host": SHOP, "token": token})

    assert response.status_code == 303
    assert response["Location"] == "/embed/embed/?next=%2Fembed%2Fc%2Fsnack-quiz%2F"
    assert token not in response["Location"]
    assert SESSION_KEY not in client.session
    confirm = client.get(response["Location"])
    assert confirm.status_code == 200
    assert "Weiter als Kundin oder Kunde von CRM" in confirm.content.decode()
    assert 'action="/embed/embed/"' in confirm.content.decode()
    assert "X-Frame-Options" not in confirm
    assert "frame-ancestors https://shop.example" in confirm["Content-Security-Policy"]
    assert not EmbedTokenUse.objects.exists()


def test_the_tap_on_the_framed_confirm_page_signs_in_and_returns_to_the_campaign(client):
    client.get(CAMPAIGN, {"host": SHOP, "token": _token(sub="K-1")})

    response = client.post("/embed/embed/", {"next": CAMPAIGN})

    assert response.status_code == 302
    assert response["Location"] == CAMPAIGN
    assert client.session[SESSION_KEY] == Identifier.objects.get(namespace="crm").profile_id
    assert EMBED_PENDING_TOKEN_SESSION_KEY not in client.session


def test_a_frame_on_a_site_that_only_claims_to_be_allowed_asks_first(client):
    headers = {"Sec-Fetch-Dest": "iframe", "Referer": "http://testserver/embed/c/x/"}

    response = client.get(CAMPAIGN, {"host": SHOP, "token": _token()}, headers=headers)

    assert response["Location"].startswith("/embed/embed/")
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"exp": 1, "iat": 0}, "abgelaufen"),
        ({"aud": "someone-else"}, "nicht gültig"),
    ],
)
def test_a_bad_token_shows_the_problem_in_the_frame_and_the_player_stays_open(
    client, changes, message
):
    response = client.get(CAMPAIGN, {"host": SHOP, "token": _token(**changes)}, headers=FRAMED)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'href="{CAMPAIGN}"' in html
    assert "frame-ancestors https://shop.example" in response["Content-Security-Policy"]
    assert SESSION_KEY not in client.session
    assert client.get(CAMPAIGN).status_code == 200


def test_a_used_token_is_refused_in_the_frame(client):
    token = _token()
    client.get(CAMPAIGN, {"host": SHOP, "token": token}, headers=FRAMED)
    client.cookies.clear()

    response = client.get(CAMPAIGN, {"host": SHOP, "token": token}, headers=FRAMED)

    assert response.status_code == 400
    assert "bereits verwendet" in response.content.decode()
