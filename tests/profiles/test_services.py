from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from apps.core.models import OutboxEvent
from apps.profiles.models import Profile
from apps.profiles.selectors import SESSION_KEY, profile_from_session
from apps.profiles.services import (
    profile_create_anonymous,
    profile_for_session,
    profile_mark_seen,
)

pytestmark = pytest.mark.django_db


def test_profile_for_session_creates_the_profile_on_first_write():
    session = SessionStore()

    profile = profile_for_session(session=session, locale="en")

    assert session[SESSION_KEY] == profile.pk
    assert profile.kind == Profile.Kind.ANONYMOUS
    assert profile.locale == "en"


def test_profile_for_session_returns_the_same_profile_afterwards():
    session = SessionStore()
    first = profile_for_session(session=session, locale="de")

    second = profile_for_session(session=session, locale="de")

    assert second == first
    assert Profile.objects.count() == 1


def test_profile_for_session_replaces_a_profile_that_no_longer_exists():
    session = SessionStore()
    session[SESSION_KEY] = 424242

    profile = profile_for_session(session=session, locale="de")

    assert session[SESSION_KEY] == profile.pk
    assert profile_from_session(session=session) == profile


def test_profile_create_anonymous_falls_back_to_german_for_unknown_locales():
    assert profile_create_anonymous(locale="fr").locale == "de"


def test_profile_create_anonymous_publishes_profile_created():
    profile = profile_create_anonymous()

    event = OutboxEvent.objects.get(name="profile.created")
    assert event.payload == {"profile": str(profile.public_id), "kind": "anonymous"}


def test_profile_mark_seen_writes_at_most_every_fifteen_minutes(profile):
    recently = timezone.now() - timedelta(minutes=5)
    Profile.objects.filter(pk=profile.pk).update(last_seen_at=recently)
    profile.refresh_from_db()

    profile_mark_seen(profile=profile)

    profile.refresh_from_db()
    assert profile.last_seen_at == recently
