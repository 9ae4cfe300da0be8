"""The page for unforeseen errors: ours, never Django's bare line, and a 503 that says to
retry when the database connection was lost (found by `make chaos`, PostgreSQL restart)."""

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_client() -> Client:
    return Client(raise_request_exception=False)


def test_server_error_answers_503_with_our_page_when_the_database_is_lost(failing_client):
    with mock.patch(
        "apps.core.views.readiness", side_effect=OperationalError("server closed the connection")
    ):
        response = failing_client.get("/readyz")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    html = response.content.decode()
    assert 'data-error-page="503"' in html
    assert "Wir sind gleich zurück" in html
    assert "Server Error" not in html


def test_server_error_speaks_the_visitors_language(failing_client):
    failing_client.cookies["django_language"] = "en"
    with mock.patch("apps.core.views.readiness", side_effect=InterfaceError("connection closed")):
        response = failing_client.get("/readyz")

    assert response.status_code == 503
    assert "We are back in a moment" in response.content.decode()


def test_server_error_answers_500_with_our_page_for_other_errors(failing_client):
    with mock.patch("apps.core.views.readiness", side_effect=RuntimeError("a bug")):
        response = failing_client.get("/readyz")

    assert response.status_code == 500
    assert "Retry-After" not in response
    html = response.content.decode()
    assert 'data-error-page="500"' in html
    assert "Etwas ist schiefgelaufen" in html
