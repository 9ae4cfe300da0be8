"""Rate limits stay open while the cache is down (found by `make chaos`, Redis stopped): a
refused connection must not answer customers with a 500."""

from unittest import mock

import pytest
from django.test import RequestFactory
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from apps.consent.models import ConsentEvent
from apps.core.ratelimits import ip_limit_reached

pytestmark = pytest.mark.django_db

CACHE_REFUSES = mock.patch(
    "django.core.cache.backends.locmem.LocMemCache.add",
    side_effect=RedisConnectionError("Error 111 connecting to 127.0.0.1:6379."),
)


def test_limit_reached_is_open_while_the_cache_refuses_connections(caplog):
    request = RequestFactory().post("/sign-in/")

    with CACHE_REFUSES:
        reached = ip_limit_reached(request, group="test", limit=(1, 60))

    assert reached is False
    assert "cache cannot be reached" in caplog.text


def test_a_limited_form_still_takes_the_decision_while_the_cache_is_down(client, purpose):
    with CACHE_REFUSES:
        response = client.post(
            reverse("consent:decide", args=["personalization"]), {"decision": "grant"}
        )

    assert response.status_code == 302
    assert ConsentEvent.objects.count() == 1


def test_limit_posts_still_limits_while_the_cache_works(client, purpose):
    url = reverse("consent:decide", args=["personalization"])
    for _ in range(60):
        client.post(url, {"decision": "grant"})

    response = client.post(url, {"decision": "grant"})

    assert response.status_code == 429
