import pytest

from apps.consent.evidence import Evidence
from apps.consent.models import Channel
from apps.consent.services import consent_grant, consent_withdraw
from apps.preferences.models import Attribute
from tests.preferences.factories import AttributeFactory

CONTEXT = {
    "channel": Channel.WEB,
    "collection_point": "preference-center",
    "evidence": Evidence(),
    "language": "de",
}


@pytest.fixture
def favourite(purpose) -> Attribute:
    return AttributeFactory(key="favourite_category", purpose=purpose, freshness_days=180)


@pytest.fixture
def granted(profile, purpose):
    """The profile has agreed to personalization."""
    return consent_grant(profile=profile, purpose_version=purpose.current_version, **CONTEXT)


def withdraw(profile, purpose) -> None:
    consent_withdraw(profile=profile, purpose=purpose, **CONTEXT)


def grant(profile, purpose) -> None:
    purpose.refresh_from_db()
    consent_grant(profile=profile, purpose_version=purpose.current_version, **CONTEXT)
