"""Two devices signing in at the same moment, on PostgreSQL, for real."""

from io import StringIO

import pytest
from django.core.management import call_command

from apps.loyalty.models import Account
from apps.loyalty.services import ledger_credit
from apps.profiles.models import Identifier, Profile
from apps.profiles.services import (
    profile_merge,
    profile_sign_in_as,
    sign_in_link_complete,
    sign_in_link_request,
    sign_in_token,
)
from tests.concurrency import run_in_parallel
from tests.profiles.factories import ProfileFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _devices(count: int) -> list[Profile]:
    devices = [ProfileFactory() for _ in range(count)]
    for number, device in enumerate(devices):
        ledger_credit(profile=device, points=10 + number, idempotency_key="played", reason="quiz")
    return devices


def _ledger_adds_up() -> None:
    output = StringIO()
    call_command("verify_ledger", stdout=output)
    assert "Every account adds up" in output.getvalue()


def test_devices_claiming_a_new_address_together_end_as_one_member_with_every_point():
    devices = _devices(6)
    links = [
        sign_in_link_request(email="kim@example.com", language="de", browser_nonce=f"device-{n}")
        for n in range(6)
    ]

    failures = run_in_parallel(
        6,
        lambda n: sign_in_link_complete(
            token=sign_in_token(link=links[n]), current=devices[n], browser_nonce=f"device-{n}"
        ),
    )

    assert failures == []
    (member,) = Profile.objects.filter(kind=Profile.Kind.MEMBER)
    assert Identifier.objects.get().profile == member
    assert Profile.objects.filter(merged_into=member).count() == 5
    assert Account.objects.get(profile=member).balance == sum(10 + n for n in range(6))
    _ledger_adds_up()


def test_devices_signing_in_to_an_existing_member_together_lose_nothing():
    member = profile_sign_in_as(
        kind=Identifier.Kind.EMAIL, value="kim@example.com", current=None, locale="de"
    )
    ledger_credit(profile=member, points=100, idempotency_key="own", reason="quiz")
    devices = _devices(6)

    failures = run_in_parallel(
        6,
        lambda n: profile_sign_in_as(
            kind=Identifier.Kind.EMAIL, value="kim@example.com", current=devices[n], locale="de"
        ),
    )

    assert failures == []
    assert Account.objects.get(profile=member).balance == 100 + sum(10 + n for n in range(6))
    assert Profile.objects.filter(merged_into=member).count() == 6
    _ledger_adds_up()


def test_one_merge_run_twice_at_once_moves_the_points_once():
    member = ProfileFactory(kind=Profile.Kind.MEMBER)
    (device,) = _devices(1)

    failures = run_in_parallel(4, lambda _n: profile_merge(source=device, target=member))

    assert failures == []
    assert Account.objects.get(profile=member).balance == 10
    assert Account.objects.get(profile=device).balance == 0
    _ledger_adds_up()


def test_one_link_tapped_on_two_devices_at_once_signs_in_once():
    link = sign_in_link_request(email="kim@example.com", language="de")
    devices = _devices(4)
    signed_in = []

    failures = run_in_parallel(
        4,
        lambda n: signed_in.append(
            sign_in_link_complete(token=sign_in_token(link=link), current=devices[n])
        ),
    )

    assert failures == []
    assert len(signed_in) == 1
    assert Profile.objects.filter(kind=Profile.Kind.MEMBER).count() == 1


def test_parallel_sign_in_requests_from_devices_that_played_end_as_one_member():
    from django.test import Client
    from django.urls import reverse

    from apps.profiles.sessions import SIGN_IN_NONCE_KEY, session_remember_profile

    devices = _devices(4)
    clients = []
    for number, device in enumerate(devices):
        client = Client()
        session = client.session
        session_remember_profile(session=session, profile=device)
        session[SIGN_IN_NONCE_KEY] = f"device-{number}"
        session.save()
        client.cookies["sessionid"] = session.session_key
        clients.append(client)
    links = [
        sign_in_link_request(email="kim@example.com", language="de", browser_nonce=f"device-{n}")
        for n in range(4)
    ]
    statuses = []

    failures = run_in_parallel(
        4,
        lambda n: statuses.append(
            clients[n]
            .post(reverse("profiles:sign-in-link", args=[sign_in_token(link=links[n])]))
            .status_code
        ),
    )

    assert failures == []
    assert statuses == [302] * 4
    (member,) = Profile.objects.filter(kind=Profile.Kind.MEMBER)
    assert Account.objects.get(profile=member).balance == sum(10 + n for n in range(4))
    _ledger_adds_up()


def test_two_tabs_signing_one_anonymous_profile_in_as_two_people_merge_no_member():
    existing = profile_sign_in_as(
        kind=Identifier.Kind.EMAIL, value="existing@example.com", current=None, locale="de"
    )
    (device,) = _devices(1)
    addresses = ["new@example.com", "existing@example.com"]

    failures = run_in_parallel(
        2,
        lambda n: profile_sign_in_as(
            kind=Identifier.Kind.EMAIL, value=addresses[n], current=device, locale="de"
        ),
    )

    assert failures == []
    existing.refresh_from_db()
    assert existing.kind == Profile.Kind.MEMBER
    holders = {i.value: i.profile for i in Identifier.objects.select_related("profile")}
    assert holders["existing@example.com"] == existing
    assert holders["new@example.com"].kind == Profile.Kind.MEMBER
    assert not Profile.objects.filter(merged_into__isnull=False, identifiers__isnull=False)
    total = sum(account.balance for account in Account.objects.all())
    assert total == 10
    _ledger_adds_up()


@pytest.mark.parametrize("attempt", range(3))
def test_keeping_answers_while_the_same_browser_signs_in_never_deadlocks(attempt, purpose):
    from apps.campaigns.services import participation_keep_answers
    from apps.preferences.models import Declaration
    from tests.consent.factories import grant_consent
    from tests.preferences.factories import AttributeFactory
    from tests.profiles.helpers import one_question_campaign, play

    member = profile_sign_in_as(
        kind=Identifier.Kind.EMAIL, value="kim@example.com", current=None, locale="de"
    )
    campaign, question, option = one_question_campaign(f"race-{attempt}")
    campaign.purposes.add(purpose)
    snack = AttributeFactory(key=f"snack_{attempt}", purpose=purpose, choices=["salty", "sweet"])
    option.attribute, option.attribute_value = snack, "salty"
    option.save()
    device = ProfileFactory()
    grant_consent(device, purpose)
    finished = play(campaign, question, option, device)
    work = [
        lambda: participation_keep_answers(participation=finished),
        lambda: profile_sign_in_as(
            kind=Identifier.Kind.EMAIL, value="kim@example.com", current=device, locale="de"
        ),
    ]

    failures = run_in_parallel(2, lambda n: work[n]())

    assert failures == []
    # Kept before the merge, the answer moved along; refused after it, nothing was lost.
    assert not Declaration.objects.filter(profile=device).exists()
    assert Declaration.objects.filter(profile=member).count() in (0, 1)
