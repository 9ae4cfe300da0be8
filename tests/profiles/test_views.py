import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from apps.profiles.models import Identifier, Profile, SignInLink
from apps.profiles.selectors import SESSION_KEY
from apps.profiles.services import profile_sign_in_as, sign_in_link_request, sign_in_token
from tests.celery_broker import celery_broker
from tests.profiles.helpers import browse_as

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("profiles:sign-in")


def _ask_for_link(client: Client, email: str, **extra):
    return client.post(SIGN_IN, {"email": email, "next": "/me/points/"}, **extra)


def _link_path(message) -> str:
    return message.body.split("http://127.0.0.1:8000", 1)[1].split()[0]


def _sign_in(client: Client, email: str) -> Profile:
    link = sign_in_link_request(email=email, language="de")
    client.post(reverse("profiles:sign-in-link", args=[sign_in_token(link=link)]))
    return Profile.objects.get(pk=client.session[SESSION_KEY])


def test_the_sign_in_page_is_a_form_with_csrf(client):
    response = client.get(SIGN_IN)

    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert b"Link zum Anmelden" in response.content


def test_known_and_unknown_addresses_get_the_same_answer(
    client, django_capture_on_commit_callbacks
):
    profile_sign_in_as(
        kind=Identifier.Kind.EMAIL, value="known@example.com", current=None, locale="de"
    )

    with celery_broker("memory://", eager=True), django_capture_on_commit_callbacks(execute=True):
        known = _ask_for_link(client, "known@example.com")
        unknown = _ask_for_link(Client(), "nobody@example.com")

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("profiles:sign-in-sent")
    assert sorted(message.to[0] for message in mail.outbox) == [
        "known@example.com",
        "nobody@example.com",
    ]


@pytest.mark.parametrize(
    "email", ["", "not an address", "kïm@example.com", "a" * 500 + "@example.com"]
)
def test_a_bad_address_gets_a_translated_error_and_changes_nothing(client, email):
    response = _ask_for_link(client, email)

    assert response.status_code == 400
    assert b"E-Mail-Adresse" in response.content
    assert not SignInLink.objects.exists()


def test_too_many_requests_from_one_address_get_429_with_retry_after(client, settings):
    settings.SIGN_IN_LIMIT_PER_IP = (3, 60)
    for number in range(3):
        assert _ask_for_link(client, f"kim{number}@example.com").status_code == 302

    response = _ask_for_link(client, "kim9@example.com")

    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert SignInLink.objects.count() == 3


def test_one_hundred_requests_in_a_minute_from_one_ip_are_stopped(client):
    statuses = [_ask_for_link(client, f"kim{n}@example.com").status_code for n in range(100)]

    assert statuses.count(302) == 10
    assert statuses[10:] == [429] * 90
    assert SignInLink.objects.count() == 10


def test_one_mailbox_cannot_be_flooded_from_many_ips(client, settings):
    settings.SIGN_IN_LIMIT_PER_ADDRESS = (2, 900)
    statuses = [
        _ask_for_link(client, "Kim@Example.com", REMOTE_ADDR=f"10.0.0.{n}").status_code
        for n in range(4)
    ]

    assert statuses == [302, 302, 429, 429]


def test_opening_the_link_asks_for_a_tap_and_uses_nothing(client):
    link = sign_in_link_request(email="kim@example.com", language="de")

    response = client.get(reverse("profiles:sign-in-link", args=[sign_in_token(link=link)]))

    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert SignInLink.objects.get().used_at is None


def test_the_tap_signs_in_and_goes_where_the_customer_was(client):
    link = sign_in_link_request(email="kim@example.com", language="de", next_path="/me/points/")

    response = client.post(reverse("profiles:sign-in-link", args=[sign_in_token(link=link)]))

    assert response.status_code == 302
    assert response["Location"] == "/me/points/"
    page = client.get(reverse("preferences:center"))
    assert b"kim@example.com" in page.content


@pytest.mark.parametrize("token", ["x", "%25%25", "a" * 3000, "IjEi:1abc:def"])
def test_a_bad_link_gets_a_clear_page_never_a_500(client, token):
    for method in (client.get, client.post):
        response = method(reverse("profiles:sign-in-link", args=[token]))
        assert response.status_code == 400
        assert "nicht gültig".encode() in response.content


def test_an_open_redirect_in_next_is_ignored(client):
    client.post(SIGN_IN, {"email": "kim@example.com", "next": "https://evil.example/"})

    link = SignInLink.objects.latest("created_at")
    assert link.next_path == reverse("preferences:center")


def test_sign_out_ends_only_this_session(client):
    _sign_in(client, "kim@example.com")
    other_device = Client()
    _sign_in(other_device, "kim@example.com")

    response = client.post(reverse("profiles:sign-out"))

    assert response.status_code == 302
    assert b"kim@example.com" not in client.get(reverse("preferences:center")).content
    assert b"kim@example.com" in other_device.get(reverse("preferences:center")).content


def test_sign_out_everywhere_ends_every_session_of_the_member(client):
    _sign_in(client, "kim@example.com")
    other_device = Client()
    _sign_in(other_device, "kim@example.com")

    client.post(reverse("profiles:sign-out-everywhere"))

    assert b"kim@example.com" not in other_device.get(reverse("preferences:center")).content
    # Signing in again works, with the new generation.
    _sign_in(other_device, "kim@example.com")
    assert b"kim@example.com" in other_device.get(reverse("preferences:center")).content


def test_sign_out_needs_a_post(client):
    assert client.get(reverse("profiles:sign-out")).status_code == 405


def test_a_signed_in_customer_never_reaches_the_admin(client):
    _sign_in(client, "kim@example.com")

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_staff_login_does_not_make_anyone_a_customer(client):
    staff = get_user_model().objects.create_user("staff", password="x", is_staff=True)
    client.force_login(staff)

    page = client.get(reverse("preferences:center"))

    assert page.context["signed_in_email"] == ""
    assert SESSION_KEY not in client.session
    assert not Profile.objects.exists()


def _browser_with_anonymous_points(points: int) -> tuple[Client, Profile]:
    from apps.loyalty.services import ledger_credit
    from tests.profiles.factories import ProfileFactory

    client = Client()
    anonymous = ProfileFactory()
    ledger_credit(profile=anonymous, points=points, idempotency_key="played", reason="quiz")
    browse_as(client, anonymous)
    return client, anonymous


def test_the_browser_that_asked_brings_its_plays_along(django_capture_on_commit_callbacks):
    from apps.loyalty.models import Account

    client, _anonymous = _browser_with_anonymous_points(40)
    with celery_broker("memory://", eager=True), django_capture_on_commit_callbacks(execute=True):
        _ask_for_link(client, "kim@example.com")

    client.post(_link_path(mail.outbox[-1]))

    assert Account.objects.get(profile_id=client.session[SESSION_KEY]).balance == 40


def test_a_link_sent_to_someone_else_signs_them_in_without_taking_their_plays(
    django_capture_on_commit_callbacks,
):
    """Login CSRF: an attacker asks for a link to their own address and gets a victim to tap
    it. The victim's anonymous points and answers must not move into the attacker's account."""
    from apps.loyalty.models import Account

    attacker = Client()
    with celery_broker("memory://", eager=True), django_capture_on_commit_callbacks(execute=True):
        _ask_for_link(attacker, "attacker@example.com")
    victim, victims_profile = _browser_with_anonymous_points(40)

    confirm = victim.get(_link_path(mail.outbox[-1]))
    victim.post(_link_path(mail.outbox[-1]))

    assert b"attacker@example.com" in confirm.content
    victims_profile.refresh_from_db()
    assert victims_profile.kind == Profile.Kind.ANONYMOUS
    assert Account.objects.get(profile=victims_profile).balance == 40
    member = Profile.objects.get(kind=Profile.Kind.MEMBER)
    assert not Account.objects.filter(profile=member, balance__gt=0).exists()


def test_signing_in_gives_the_browser_a_new_session_key(client):
    client.get(SIGN_IN)
    session = client.session
    session["planted"] = True
    session.save()
    planted = session.session_key
    client.cookies["sessionid"] = planted
    link = sign_in_link_request(email="kim@example.com", language="de")

    client.post(reverse("profiles:sign-in-link", args=[sign_in_token(link=link)]))

    assert client.cookies["sessionid"].value != planted
    assert client.session[SESSION_KEY]


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:x"]
)
def test_next_never_leads_off_the_site(client, target):
    client.post(SIGN_IN, {"email": "kim@example.com", "next": target})

    assert SignInLink.objects.get().next_path == reverse("preferences:center")


def test_sign_in_and_sign_out_refuse_posts_without_a_csrf_token():
    client = Client(enforce_csrf_checks=True)

    assert client.post(SIGN_IN, {"email": "kim@example.com"}).status_code == 403
    assert client.post(reverse("profiles:sign-out")).status_code == 403
    assert not SignInLink.objects.exists()


def test_plus_addresses_share_their_mailboxs_limit(client, settings):
    settings.SIGN_IN_LIMIT_PER_ADDRESS = (2, 900)
    statuses = [
        _ask_for_link(client, f"kim+{n}@example.com", REMOTE_ADDR=f"10.0.1.{n}").status_code
        for n in range(3)
    ]

    assert statuses == [302, 302, 429]
