from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from apps.core.models import OutboxEvent
from apps.profiles.models import Profile
from apps.profiles.selectors import SESSION_KEY, profile_from_session
from apps.profiles.services import profile_create_anonymous, profile_ensure, profile_mark_seen
from apps.profiles.sessions import session_remember_profile

pytestmark = pytest.mark.django_db


def test_profile_ensure_creates_the_profile_on_first_write():
    profile = profile_ensure(profile=None, locale="en")

    assert profile.kind == Profile.Kind.ANONYMOUS
    assert profile.locale == "en"


def test_profile_ensure_returns_an_existing_profile(profile):
    assert profile_ensure(profile=profile, locale="en") == profile
    assert Profile.objects.count() == 1


def test_session_remember_profile_links_the_session_with_a_new_key(profile):
    session = SessionStore()
    session.create()
    planted_key = session.session_key

    session_remember_profile(session=session, profile=profile)

    assert session[SESSION_KEY] == profile.pk
    assert session.session_key != planted_key
    assert profile_from_session(session=session) == profile


def test_profile_from_session_ignores_a_profile_that_no_longer_exists():
    session = SessionStore()
    session[SESSION_KEY] = 424242

    assert profile_from_session(session=session) is None


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
