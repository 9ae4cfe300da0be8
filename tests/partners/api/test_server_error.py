"""Partners get problem details for our own failures too, and a 503 for a lost database."""

from unittest import mock

import pytest
from django.db import OperationalError


@pytest.fixture
def failing_shop(shop):
    shop.raise_request_exception = False
    return shop


def test_a_lost_database_answers_partners_503_problem_details(failing_shop):
    with mock.patch(
        "apps.partners.api.catalog.CampaignList.get",
        side_effect=OperationalError("the database system is shutting down"),
    ):
        response = failing_shop.get("/api/v1/campaigns/")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["type"] == "/api/problems/service-unavailable"
    assert body["status"] == 503
    assert body["instance"] == "/api/v1/campaigns/"


def test_an_unforeseen_error_answers_partners_500_problem_details(failing_shop):
    with mock.patch("apps.partners.api.catalog.CampaignList.get", side_effect=KeyError("bug")):
        response = failing_shop.get("/api/v1/campaigns/", HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Etwas ist schiefgelaufen"
