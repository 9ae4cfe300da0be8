"""Mail leaves after the transaction that caused it, never while the database holds a lock
for it, and a mail server that fails or hangs costs the customer nothing."""

import smtplib
import socket
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail import send_mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.utils import timezone

from apps.core.models import OutboxEvent
from apps.core.services import outbox_sweep
from apps.profiles.models import SignInLink
from apps.profiles.services import sign_in_link_request
from tests.celery_broker import celery_broker

pytestmark = pytest.mark.django_db

# How many atomic blocks were open at each send.
blocks_at_send: list[int] = []


class RecordingBackend(EmailBackend):
    def send_messages(self, messages):
        blocks_at_send.append(len(connection.atomic_blocks))
        return super().send_messages(messages)


class FailingBackend(EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture(autouse=True)
def _eager_relay():
    blocks_at_send.clear()
    with celery_broker("memory://", eager=True):
        yield


def test_the_sign_in_mail_leaves_after_the_customers_transaction_commits(
    settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.core.test_outbox_mail.RecordingBackend"

    with django_capture_on_commit_callbacks() as after_commit:
        sign_in_link_request(email="kim@example.com", language="en")
    assert mail.outbox == []

    for callback in after_commit:
        callback()

    (message,) = mail.outbox
    assert message.to == ["kim@example.com"]


def test_relayed_mail_is_sent_outside_the_relays_transaction(
    settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.core.test_outbox_mail.RecordingBackend"
    outside = len(connection.atomic_blocks)  # the test's own transaction

    with django_capture_on_commit_callbacks(execute=True):
        sign_in_link_request(email="kim@example.com", language="en")

    # The relay's transaction (and its lock on nothing) had ended before the mail left.
    assert blocks_at_send == [outside]
    assert OutboxEvent.objects.get(name="profile.sign_in_requested").is_published


def test_a_failing_mail_server_does_not_roll_back_the_customers_action(
    settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.core.test_outbox_mail.FailingBackend"

    with django_capture_on_commit_callbacks(execute=True):
        link = sign_in_link_request(email="kim@example.com", language="en")

    assert SignInLink.objects.filter(pk=link.pk).exists()
    event = OutboxEvent.objects.get(name="profile.sign_in_requested")
    assert not event.is_published
    assert event.last_error.startswith("SMTPServerDisconnected")
    assert event.next_attempt_at > timezone.now()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        outbox_sweep(grace_seconds=0, batch_size=100)

    (message,) = mail.outbox
    assert message.to == ["kim@example.com"]
    event.refresh_from_db()
    assert event.is_published


def test_email_timeout_ends_a_wait_on_a_mail_server_that_never_answers(settings):
    silent = socket.create_server(("127.0.0.1", 0))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", silent.getsockname()[1]
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 1
    failures: list[Exception] = []

    def send() -> None:
        try:
            send_mail("Hallo", "Text", "a@resonanz.example", ["kim@example.com"])
        except (OSError, smtplib.SMTPException) as error:
            failures.append(error)

    sender = threading.Thread(target=send, daemon=True)
    started = time.monotonic()
    sender.start()
    sender.join(timeout=5)
    silent.close()

    assert not sender.is_alive()  # without a timeout it would wait for the greeting forever
    assert time.monotonic() - started < 4
    assert failures


def test_email_timeout_has_a_default():
    from django.conf import settings as configured

    assert configured.EMAIL_TIMEOUT == 10
