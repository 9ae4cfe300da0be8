import pytest
from django.core import mail, signing
from django.db import transaction

from apps.core.exceptions import ApplicationError
from apps.core.models import OutboxEvent
from apps.profiles.identifiers import email_normalise, sha256_hex
from apps.profiles.models import Identifier, Profile, SignInLink
from apps.profiles.selectors import profile_by_email_sha256, profile_email
from apps.profiles.services import (
    SIGN_IN_SALT,
    profile_sign_in_as,
    sign_in_link_check,
    sign_in_link_complete,
    sign_in_link_request,
    sign_in_token,
)
from tests.celery_broker import celery_broker
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("  Kim@Example.COM ", "kim@example.com"),
        ("kim@bücher.de", "kim@xn--bcher-kva.de"),
        ("KIM+quiz@example.com", "kim+quiz@example.com"),
    ],
)
def test_email_addresses_have_one_normal_form(raw, normalised):
    assert email_normalise(raw) == normalised


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "kim",
        "kim@",
        "kïm@example.com",
        "kim\u200b@example.com",
        "kim@exa mple.com",
        "a" * 490 + "@example.com",
        "kim@" + "x" * 300 + ".de",
    ],
)
def test_odd_or_overlong_addresses_are_refused_in_plain_words(raw, english):
    with pytest.raises(ApplicationError, match="valid e-mail address"):
        email_normalise(raw)


def test_a_link_request_sends_the_link_by_e_mail_from_the_relay(
    django_capture_on_commit_callbacks,
):
    with celery_broker("memory://", eager=True), django_capture_on_commit_callbacks(execute=True):
        link = sign_in_link_request(email="Kim@Example.com", language="en")

    (message,) = mail.outbox
    assert message.to == ["kim@example.com"]
    token = message.body.split("/sign-in/link/", 1)[1].split("/", 1)[0]
    assert sign_in_link_check(token=token) == link
    assert "15 minutes" in message.body
    # The event that may reach other systems carries neither the address nor the token.
    event = OutboxEvent.objects.get(name="profile.sign_in_requested")
    assert "kim" not in str(event.payload)


def test_a_new_address_turns_the_browsers_anonymous_profile_into_a_member():
    anonymous = ProfileFactory()
    link = sign_in_link_request(email="kim@example.com", language="de", browser_nonce="n")

    member, _link = sign_in_link_complete(
        token=sign_in_token(link=link), current=anonymous, browser_nonce="n"
    )

    assert member.pk == anonymous.pk
    assert member.kind == Profile.Kind.MEMBER
    identifier = Identifier.objects.get(profile=member)
    assert identifier.value == "kim@example.com"
    assert identifier.verified_at is not None
    assert profile_by_email_sha256(digest=sha256_hex("kim@example.com")) == member
    assert profile_email(profile=member) == "kim@example.com"


def test_a_new_address_without_a_browser_profile_makes_a_new_member():
    link = sign_in_link_request(email="kim@example.com", language="en")

    member, _link = sign_in_link_complete(token=sign_in_token(link=link), current=None)

    assert member.kind == Profile.Kind.MEMBER
    assert member.locale == "en"


def test_a_known_address_signs_in_as_its_member_and_brings_the_anonymous_profile():
    member = profile_sign_in_as(
        kind=Identifier.Kind.EMAIL, value="kim@example.com", current=None, locale="de"
    )
    anonymous = ProfileFactory()
    link = sign_in_link_request(email="KIM@example.com", language="de", browser_nonce="n")

    signed_in, _link = sign_in_link_complete(
        token=sign_in_token(link=link), current=anonymous, browser_nonce="n"
    )

    assert signed_in == member
    anonymous.refresh_from_db()
    assert anonymous.merged_into == member


def test_signing_in_as_someone_else_from_a_members_browser_merges_nothing():
    first = profile_sign_in_as(
        kind=Identifier.Kind.EMAIL, value="kim@example.com", current=None, locale="de"
    )
    link = sign_in_link_request(email="alex@example.com", language="de")

    second, _link = sign_in_link_complete(token=sign_in_token(link=link), current=first)

    assert second != first
    first.refresh_from_db()
    assert first.kind == Profile.Kind.MEMBER


def test_a_link_works_once(english):
    link = sign_in_link_request(email="kim@example.com", language="de")
    token = sign_in_token(link=link)
    sign_in_link_complete(token=token, current=None)

    with pytest.raises(ApplicationError, match="already used"):
        sign_in_link_complete(token=token, current=None)


def test_an_expired_link_is_refused_and_changes_nothing(settings, english):
    link = sign_in_link_request(email="kim@example.com", language="de")
    settings.SIGN_IN_LINK_MAX_AGE = -1

    with pytest.raises(ApplicationError, match="expired"):
        sign_in_link_complete(token=sign_in_token(link=link), current=None)

    assert not Identifier.objects.exists()


def test_a_link_past_its_recorded_expiry_is_refused(english):
    link = sign_in_link_request(email="kim@example.com", language="de")
    SignInLink.objects.filter(pk=link.pk).update(expires_at=link.created_at)

    with pytest.raises(ApplicationError, match="expired"):
        sign_in_link_check(token=sign_in_token(link=link))


@pytest.mark.parametrize(
    "forge",
    [
        lambda token, link: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token, link: signing.dumps(
            str(link.public_id), key="not-our-key", salt=SIGN_IN_SALT
        ),
        lambda token, link: signing.dumps(str(link.public_id), salt="another-purpose"),
        lambda token, link: signing.dumps(
            "00000000-0000-0000-0000-000000000000", salt=SIGN_IN_SALT
        ),
        lambda token, link: "",
        lambda token, link: "x" * 5000,
    ],
    ids=["tampered", "foreign-key", "other-salt", "unknown-link", "empty", "huge"],
)
def test_forged_links_are_refused_and_change_nothing(forge, english):
    link = sign_in_link_request(email="kim@example.com", language="de")

    with pytest.raises(ApplicationError, match="not valid"):
        sign_in_link_complete(token=forge(sign_in_token(link=link), link), current=None)

    assert not Identifier.objects.exists()
    assert SignInLink.objects.get().used_at is None


def test_an_address_claimed_twice_in_one_moment_ends_as_one_member():
    """What a parallel sign-in on another device looks like from here: the identifier was
    created between our look-up and our insert (the PostgreSQL test races it for real)."""
    other_device = ProfileFactory()
    winner = profile_sign_in_as(
        kind=Identifier.Kind.EMAIL, value="kim@example.com", current=other_device, locale="de"
    )
    this_device = ProfileFactory()
    from apps.profiles import services

    real_lookup = services._identifier_locked
    calls = []

    def first_lookup_misses(*args):
        calls.append(args)
        return None if len(calls) == 1 else real_lookup(*args)

    with transaction.atomic():
        services._identifier_locked = first_lookup_misses
        try:
            member = profile_sign_in_as(
                kind=Identifier.Kind.EMAIL,
                value="kim@example.com",
                current=this_device,
                locale="de",
            )
        finally:
            services._identifier_locked = real_lookup

    assert member == winner
    this_device.refresh_from_db()
    assert this_device.merged_into == winner
    assert Identifier.objects.count() == 1


def test_spent_links_are_forgotten_after_a_day():
    from datetime import timedelta

    from django.utils import timezone

    from apps.profiles.services import sign_in_links_forget_used

    old = sign_in_link_request(email="old@example.com", language="de")
    SignInLink.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    fresh = sign_in_link_request(email="fresh@example.com", language="de")

    assert sign_in_links_forget_used() == 1
    assert list(SignInLink.objects.all()) == [fresh]


def test_a_link_from_another_browser_signs_in_without_merging_this_one():
    anonymous = ProfileFactory()
    link = sign_in_link_request(email="kim@example.com", language="de", browser_nonce="theirs")

    member, _link = sign_in_link_complete(
        token=sign_in_token(link=link), current=anonymous, browser_nonce="mine"
    )

    assert member != anonymous
    anonymous.refresh_from_db()
    assert anonymous.kind == Profile.Kind.ANONYMOUS
