from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from apps.profiles.middleware import ProfileMiddleware
from apps.profiles.models import Profile
from apps.profiles.selectors import SESSION_KEY

pytestmark = pytest.mark.django_db


def _request_with_session(session: SessionStore) -> HttpRequest:
    request = RequestFactory().get("/")
    request.session = session
    return request


def test_anonymous_page_views_create_no_profiles(client):
    for _ in range(25):
        client.get(reverse("home"))
        client.get("/healthz")
        client.get("/no-such-page/")
        client.get(reverse("home"), headers={"user-agent": "Googlebot/2.1"})

    assert Profile.objects.count() == 0


def test_request_profile_is_falsy_without_a_session_profile(django_assert_num_queries):
    seen = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen["profile"] = bool(request.profile)
        return HttpResponse()

    with django_assert_num_queries(0):
        ProfileMiddleware(view)(_request_with_session(SessionStore()))

    assert seen == {"profile": False}


def test_request_profile_is_loaded_only_when_a_view_uses_it(profile, django_assert_num_queries):
    session = SessionStore()
    session[SESSION_KEY] = profile.pk

    with django_assert_num_queries(0):
        ProfileMiddleware(lambda request: HttpResponse())(_request_with_session(session))


def test_request_profile_is_the_session_profile(profile):
    session = SessionStore()
    session[SESSION_KEY] = profile.pk
    seen = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen["public_id"] = request.profile.public_id
        return HttpResponse()

    ProfileMiddleware(view)(_request_with_session(session))

    assert seen == {"public_id": profile.public_id}


def test_a_used_profile_is_marked_seen(profile):
    Profile.objects.filter(pk=profile.pk).update(last_seen_at=timezone.now() - timedelta(days=2))
    session = SessionStore()
    session[SESSION_KEY] = profile.pk

    ProfileMiddleware(lambda request: HttpResponse(str(request.profile)))(
        _request_with_session(session)
    )

    profile.refresh_from_db()
    assert timezone.now() - profile.last_seen_at < timedelta(minutes=1)
