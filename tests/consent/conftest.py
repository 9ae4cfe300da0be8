import pytest

from apps.consent.evidence import Evidence
from apps.consent.models import Channel
from tests.consent.factories import published_purpose
from tests.embed_support import framed  # noqa: F401 (pages framed by a brand site)


@pytest.fixture
def evidence() -> Evidence:
    return Evidence(ip_hmac="a" * 64, user_agent_hmac="b" * 64, gpc_signal=False)


@pytest.fixture
def decision_context(evidence) -> dict:
    return {
        "channel": Channel.WEB,
        "collection_point": "preference-center",
        "evidence": evidence,
        "language": "de",
    }


@pytest.fixture
def sharing_purpose(db):
    return published_purpose(key="partner_sharing", is_sale_or_share=True)


@pytest.fixture
def newsletter_purpose(db):
    return published_purpose(key="email_marketing", requires_double_opt_in=True)
