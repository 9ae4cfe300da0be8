"""The security review's attack: cookie-less scripted clients, each a new anonymous profile,
play every demo campaign and try to redeem every reward. No voucher may come of it; a real
customer who plays anonymously and then signs in keeps every point and redeems."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from apps.campaigns.models import Campaign, Participation
from apps.loyalty.models import Account, Redemption, Reward
from apps.profiles.models import Profile
from apps.profiles.selectors import SESSION_KEY
from tests.loyalty.players import play_over_http, sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_in_tmp")]

SCRIPTED_CLIENTS = 50
# A farm runs its scripts side by side. On PostgreSQL so does the test: while one client
# waits for the database another runs, which takes a third off the slowest test of the
# suite. SQLite takes one writer at a time, so there they play one by one.
ON_POSTGRES = connection.vendor == "postgresql"
PARALLEL_CLIENTS = 4


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    campaigns = list(Campaign.objects.live().filter(requires_sign_in=False).order_by("pk"))
    assert campaigns
    assert Reward.objects.filter(is_active=True).exists()
    return campaigns


def _redeem_everything(client: Client) -> list[int]:
    statuses = []
    for reward in Reward.objects.filter(is_active=True):
        url = reverse("loyalty:redeem", args=[reward.pk])
        client.get(url)
        statuses.append(client.post(url, {"key": str(uuid.uuid4())}).status_code)
    return statuses


def _farm(number: int, campaigns: list[Campaign]) -> set[int]:
    """One scripted client plays every campaign and tries every reward: the answers to its
    redemptions. A fresh cookie jar is a new anonymous profile; each from an address of its
    own, so no limit per address helps: only the rule that rewards are for members does."""
    client = Client(REMOTE_ADDR=f"10.0.{number}.1")
    for campaign in campaigns:
        play_over_http(client, campaign)
    return set(_redeem_everything(client))


def _farm_in_thread(number: int, campaigns: list[Campaign]) -> set[int]:
    try:
        return _farm(number, campaigns)
    finally:
        connection.close()  # the thread's own connection, which no request would close


# The threads' own connections see the seeded demo only once it is committed.
@pytest.mark.django_db(transaction=ON_POSTGRES)
def test_fifty_cookie_less_scripted_clients_get_no_voucher(demo):
    numbers, campaigns = range(SCRIPTED_CLIENTS), [demo] * SCRIPTED_CLIENTS
    if ON_POSTGRES:
        with ThreadPoolExecutor(max_workers=PARALLEL_CLIENTS) as farm:
            answers = list(farm.map(_farm_in_thread, numbers, campaigns))
    else:
        answers = list(map(_farm, numbers, campaigns))
    refusals = set().union(*answers)

    assert Redemption.objects.count() == 0
    assert refusals == {403}
    # They did play: the answers and plays are there, and the points earned stay visible.
    finished = Participation.objects.filter(completed_at__isnull=False).count()
    assert finished == SCRIPTED_CLIENTS * len(demo)
    assert Account.objects.filter(balance__gt=0).exists()


def test_a_customer_who_plays_anonymously_then_signs_in_keeps_every_point_and_redeems(demo):
    client = Client()
    for campaign in demo:
        play_over_http(client, campaign)
    anonymous = Profile.objects.get(pk=client.session[SESSION_KEY])
    earned = Account.objects.get(profile=anonymous).balance
    assert earned > 0
    assert set(_redeem_everything(client)) == {403}

    sign_in(client, "kundin@example.com")
    member = Profile.objects.get(pk=client.session[SESSION_KEY])

    assert member.kind == Profile.Kind.MEMBER
    assert Account.objects.get(profile=member).balance == earned
    reward = Reward.objects.filter(is_active=True, cost__lte=earned).order_by("cost").first()
    assert reward is not None
    url = reverse("loyalty:redeem", args=[reward.pk])
    assert "Ja, einlösen" in client.get(url).content.decode()
    response = client.post(url, {"key": str(uuid.uuid4())})

    assert response.status_code == 302
    assert Redemption.objects.get().account.profile == member
    assert Account.objects.get(profile=member).balance == earned - reward.cost
