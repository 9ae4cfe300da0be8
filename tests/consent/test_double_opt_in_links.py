"""Double opt-in from clients without a profile: mails limited per mailbox, nothing stored
per try, the request written only when its link is confirmed."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.consent.evidence import evidence_hmac
from apps.consent.models import ConsentEvent, ConsentState
from apps.core.models import OutboxEvent
from apps.profiles.models import Profile
from apps.profiles.selectors import SESSION_KEY
from tests.celery_broker import celery_broker
from tests.consent.factories import publish_new_version
from tests.profiles.helpers import browse_as

pytestmark = pytest.mark.django_db

DECIDE = reverse("consent:decide", args=["email_marketing"])
LIMIT_MESSAGE = "Wir haben schon mehrere Bestätigungslinks an diese Adresse geschickt."


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """A yes to the newsletter from a client that keeps no cookie unless one is given; the
    mail leaves after commit, as in production."""

    def post(email: str = "kim@example.com", *, client: Client | None = None, **headers):
        browser = client or Client()
        with (
            celery_broker("memory://", eager=True),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return browser.post(
                DECIDE, {"decision": "grant", "email": email}, follow=True, **headers
            )

    return post


def _link(message) -> str:
    return message.body.split("http://127.0.0.1:8000", 1)[1].split()[0]


def _stored() -> tuple[int, int, int, int]:
    return (
        Profile.objects.count(),
        ConsentEvent.objects.count(),
        ConsentState.objects.count(),
        OutboxEvent.objects.count(),
    )


def test_thirty_cookieless_tries_for_one_mailbox_send_three_mails_and_store_no_profile(
    ask, newsletter_purpose, mailoutbox
):
    profiles, events, states, outbox = _stored()

    answers = [ask().content.decode() for _ in range(30)]

    assert len(mailoutbox) == 3
    assert all(LIMIT_MESSAGE in page for page in answers[3:])
    # Only the three mails' outbox rows: no profile, consent event or state per try.
    assert _stored() == (profiles, events, states, outbox + 3) == (0, 0, 0, outbox + 3)


def test_a_refused_try_writes_nothing(ask, newsletter_purpose, mailoutbox, settings):
    settings.CONSENT_DOUBLE_OPT_IN_LIMIT_PER_ADDRESS = (1, 3600)
    member = Client()
    ask(client=member)
    before = _stored()

    page = ask(client=member).content.decode()

    assert LIMIT_MESSAGE in page
    assert _stored() == before
    assert len(mailoutbox) == 1


def test_a_refused_try_of_a_visitor_with_a_profile_writes_nothing(
    ask, newsletter_purpose, profile, mailoutbox, settings
):
    settings.CONSENT_DOUBLE_OPT_IN_LIMIT_PER_ADDRESS = (1, 3600)
    ask()
    before = _stored()

    page = ask(client=browse_as(Client(), profile)).content.decode()

    assert LIMIT_MESSAGE in page
    assert _stored() == before
    assert not ConsentState.objects.filter(profile=profile).exists()


def test_spellings_of_one_mailbox_share_its_limit(ask, newsletter_purpose, mailoutbox):
    for address in [
        "kim@example.com",
        "KIM@Example.com",
        "kim+news@example.com",
        "kim@example.com",
    ]:
        ask(address)

    assert len(mailoutbox) == 3


def test_the_limit_speaks_english_too(ask, newsletter_purpose, mailoutbox, settings):
    settings.CONSENT_DOUBLE_OPT_IN_LIMIT_PER_ADDRESS = (1, 3600)
    ask()

    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = ask(client=english).content.decode()

    assert "We have sent several confirmation links to this address already." in page


def test_the_mailed_link_writes_the_request_and_the_grant_for_the_confirming_browser(
    ask, newsletter_purpose, mailoutbox
):
    ask(REMOTE_ADDR="203.0.113.7")
    (message,) = mailoutbox
    browser = Client()

    assert browser.get(_link(message)).status_code == 200
    assert browser.get(_link(message)).status_code == 200
    assert _stored()[:3] == (0, 0, 0)
    response = browser.post(_link(message))

    assert response.status_code == 200
    state = ConsentState.objects.get()
    assert state.status == ConsentState.Status.GRANTED
    assert browser.session[SESSION_KEY] == state.profile_id
    request, grant = ConsentEvent.objects.order_by("id")
    assert (request.action, grant.action) == ("request", "grant")
    assert grant.trigger == ConsentEvent.Trigger.DOUBLE_OPT_IN
    mailed = OutboxEvent.objects.get(name="consent.double_opt_in_requested")
    assert str(request.receipt_id) == mailed.payload["receipt_id"]
    assert request.ip_hmac == evidence_hmac("203.0.113.7")
    assert request.occurred_at <= grant.occurred_at


def test_a_mailed_link_works_once(ask, newsletter_purpose, mailoutbox):
    ask()
    link = _link(mailoutbox[0])
    Client().post(link)

    again = Client().post(link)

    assert again.status_code == 400
    assert "bereits verwendet" in again.content.decode()
    assert Profile.objects.count() == 1
    assert Client().get(link).status_code == 400


def test_a_browser_with_a_profile_confirms_for_that_profile(
    ask, newsletter_purpose, profile, mailoutbox
):
    ask()

    browse_as(browser := Client(), profile).post(_link(mailoutbox[0]))

    assert ConsentState.objects.get().profile == profile
    assert Profile.objects.count() == 1
    assert browser.session[SESSION_KEY] == profile.pk


def test_a_link_to_replaced_wording_confirms_nothing(ask, newsletter_purpose, mailoutbox):
    ask()
    publish_new_version(newsletter_purpose, is_material=True)

    response = Client().post(_link(mailoutbox[0]))

    assert response.status_code == 400
    assert _stored()[:3] == (0, 0, 0)


def test_with_htmx_the_limit_is_told_in_the_purposes_row(
    ask, newsletter_purpose, mailoutbox, settings
):
    settings.CONSENT_DOUBLE_OPT_IN_LIMIT_PER_ADDRESS = (1, 3600)
    ask()

    row = ask(HTTP_HX_REQUEST="true")

    assert row.status_code == 200
    assert LIMIT_MESSAGE in row.content.decode()
    assert "<html" not in row.content.decode()
    assert len(mailoutbox) == 1
