"""The OpenAPI schema is the contract: generated requests (valid and invalid, with a valid
token) never get a 5xx, and every answer matches what the schema says."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.partners.models import Scope
from apps.partners.services import partner_client_create, partner_token_issue
from tests.consent.factories import published_purpose

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
# The token endpoint is OAuth2's (form-encoded, described by RFC 6749), not ours.
schema = schema.exclude(path_regex="^/api/oauth/")

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def _connection_stays_open():
    """As Django's test client does: a finished request must not close the connection that
    holds the test's transaction (the WSGI client here knows nothing of it)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def bearer(db):
    for key in ("partner_sharing", "personalization"):
        published_purpose(key=key)
    partner, _secret = partner_client_create(
        name="Shop",
        key="shop",
        scopes=list(Scope.values),
        purpose_keys=["partner_sharing", "personalization"],
    )
    partner.requests_per_minute = 1_000_000
    partner.save()
    return f"Bearer {partner_token_issue(partner=partner)}"


@schema.parametrize()
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_contract(case, bearer):
    case.call_and_validate(headers={"Authorization": bearer}, checks=CHECKS)
