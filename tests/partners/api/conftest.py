import pytest
from rest_framework.test import APIClient

from apps.partners.models import Scope
from apps.partners.services import partner_client_create, partner_token_issue
from tests.consent.factories import published_purpose

ALL_SCOPES = list(Scope.values)


@pytest.fixture
def purposes(db):
    """The purposes partners are allowed or not: sharing itself, and two kinds of data."""
    return {
        key: published_purpose(key=key)
        for key in ("partner_sharing", "personalization", "email_marketing")
    }


@pytest.fixture
def make_partner(purposes):
    """A partner and an API client signed in with its token."""

    def make(key="shop", scopes=None, purpose_keys=("partner_sharing", "personalization")):
        partner, _secret = partner_client_create(
            name=key.title(),
            key=key,
            scopes=ALL_SCOPES if scopes is None else scopes,
            purpose_keys=list(purpose_keys),
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {partner_token_issue(partner=partner)}")
        client.partner = partner
        return client

    return make


@pytest.fixture
def shop(make_partner):
    return make_partner()
