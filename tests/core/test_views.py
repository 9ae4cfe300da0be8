import pytest
from django.urls import reverse

from apps.core import health

pytestmark = pytest.mark.django_db


def test_home_is_german_by_default(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert response["Content-Language"] == "de"
    assert '<html lang="de">' in response.content.decode()
    assert "Gerade läuft nichts." in response.content.decode()


def test_home_speaks_english_once_chosen(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)

    assert response.redirect_chain == [("/", 302)]
    assert response["Content-Language"] == "en"
    assert "Nothing is live right now." in response.content.decode()


def test_home_ignores_an_unknown_language_cookie(client):
    client.cookies["django_language"] = "xx"

    response = client.get(reverse("home"))

    assert response["Content-Language"] == "de"


def test_home_sends_the_csrf_token_for_htmx_and_loads_htmx_locally(client):
    html = client.get(reverse("home")).content.decode()

    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert '<script src="/static/vendor/htmx.min.js" defer></script>' in html
    assert "https://" not in html.split("<body")[0]


def test_home_explains_the_value_exchange(client):
    html = client.get(reverse("home")).content.decode()

    assert "sammle Punkte für jede Runde" in html
    assert "Du entscheidest, wofür deine Antworten genutzt werden dürfen" in html


def test_home_has_a_skip_link_to_the_main_content(client):
    html = client.get(reverse("home")).content.decode()

    assert 'class="skip-link" href="#main"' in html
    assert 'id="main"' in html


def test_home_runs_at_most_one_query_and_none_once_cached(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get(reverse("home"))
    with django_assert_num_queries(0):
        client.get(reverse("home"))


def test_home_sends_a_content_security_policy_without_inline_scripts(client):
    policy = client.get(reverse("home"))["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy
    assert directives["frame-ancestors"] == "'none'"


def test_home_refuses_post(client):
    assert client.post(reverse("home")).status_code == 405


def test_healthz_says_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ok_when_the_database_answers(client, settings):
    settings.REDIS_URL = ""

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}, "failed": []}


def test_readyz_names_the_failing_dependency(client, settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    monkeypatch.setattr(health, "check_database", lambda: None)

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["redis"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] != "ok"


def test_readyz_reports_a_database_failure(client, monkeypatch, settings):
    settings.REDIS_URL = ""
    monkeypatch.setattr(health, "check_database", lambda: "OperationalError")

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]


def test_api_schema_is_served(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    assert b"Resonanz Partner API" in response.content
