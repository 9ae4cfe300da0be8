"""The outbox in the admin: no payloads on the list, every read of one logged, dead letters
found by a filter and replayed with a record of who did it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AccessLog, ConfigChange
from apps.core.models import OutboxEvent
from apps.profiles.models import Identifier
from tests.celery_broker import celery_broker
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db

REASON = {"_access_reason": "1", "reason": "Checking a stuck event"}


@pytest.fixture
def event_of_profile():
    profile = ProfileFactory()
    event = OutboxEvent.objects.create(
        name="preference.declared",
        payload={"profile": str(profile.public_id), "attribute": "diet", "value": "veggie"},
    )
    return event, profile


def test_the_outbox_list_shows_no_payload_and_logs_no_read(admin_client, event_of_profile):
    event, profile = event_of_profile

    response = admin_client.get(reverse("admin:core_outboxevent_changelist"))

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [event]
    assert str(profile.public_id).encode() not in response.content
    assert b"veggie" not in response.content
    assert not AccessLog.objects.exists()


def test_reading_an_event_asks_why_then_logs_the_read_of_its_profile(
    admin_client, admin_user, event_of_profile
):
    event, profile = event_of_profile
    url = reverse("admin:core_outboxevent_change", args=[event.pk])

    assert b"veggie" not in admin_client.get(url).content  # the reason comes first
    admin_client.post(url, REASON)
    response = admin_client.get(url)

    assert response.status_code == 200
    assert b"veggie" in response.content
    assert list(AccessLog.objects.values_list("profile", "staff_user", "data_category")) == [
        (profile.pk, admin_user.pk, "outbox_payload")
    ]
    assert AccessLog.objects.get().reason == REASON["reason"]


def test_reading_a_double_opt_in_logs_the_profile_its_address_belongs_to(admin_client):
    profile = ProfileFactory()
    Identifier.objects.create(
        profile=profile, kind=Identifier.Kind.EMAIL, value="kim@example.com", value_sha256="x"
    )
    event = OutboxEvent.objects.create(
        name="consent.double_opt_in_requested",
        payload={"receipt_id": "r1", "email": "kim@example.com", "language": "de"},
    )
    url = reverse("admin:core_outboxevent_change", args=[event.pk])
    admin_client.post(url, REASON)

    assert admin_client.get(url).status_code == 200
    assert list(AccessLog.objects.values_list("profile", flat=True)) == [profile.pk]


def test_dead_letters_are_listed_by_their_filter_with_state_and_error(admin_client):
    dead = OutboxEvent.objects.create(
        name="profile.sign_in_requested",
        relay_attempts=12,
        dead_at=timezone.now(),
        last_error="SMTPServerDisconnected: gone",
    )
    OutboxEvent.objects.create(name="quiz.completed", published_at=timezone.now())

    response = admin_client.get(reverse("admin:core_outboxevent_changelist"), {"state": "dead"})

    assert list(response.context["cl"].result_list) == [dead]
    assert b"SMTPServerDisconnected: gone" in response.content


def test_replaying_dead_letters_makes_them_wait_again_and_is_audited(
    admin_client, admin_user, django_capture_on_commit_callbacks
):
    dead = OutboxEvent.objects.create(
        name="test.nobody_listens", relay_attempts=12, dead_at=timezone.now(), last_error="x"
    )

    with celery_broker("memory://", eager=True), django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:core_outboxevent_changelist"),
            {"action": "replay", "_selected_action": [dead.pk]},
        )

    assert response.status_code == 302
    dead.refresh_from_db()
    assert dead.dead_at is None
    assert dead.is_published  # relayed again after commit; nothing failed this time
    change = ConfigChange.objects.get()
    assert (change.staff_user, change.object_id) == (admin_user, str(dead.pk))
    assert change.changes["state"] == {"from": "dead", "to": "pending"}
