"""Declarations are used only while their own purpose is granted: by the selector, and by
every reader that goes through it."""

import pytest
from rest_framework.test import APIClient

from apps.partners.models import Scope
from apps.partners.services import partner_link_customer, partner_token_issue
from apps.personalization.leads import leads_for_topic
from apps.personalization.selectors.next_action import _answers
from apps.personalization.selectors.segments import rule_preview
from apps.preferences.models import Attribute
from apps.preferences.selectors import declaration_list_told, declaration_list_usable
from tests.consent.factories import grant_consent, published_purpose
from tests.partners.factories import PartnerClientFactory
from tests.preferences.conftest import grant, withdraw
from tests.preferences.factories import AttributeFactory, DeclarationFactory
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def research(db):
    return published_purpose(key="research")


@pytest.fixture
def opinion(research) -> Attribute:
    """Collected for `research`, a purpose of its own, with an intent that makes leads."""
    return AttributeFactory(
        key="opinion",
        purpose=research,
        topic=Attribute.Topic.SHOPPING,
        intent_horizon_days=90,
        choices=["yes", "no"],
    )


def _usable(profile) -> list[str]:
    return [
        d.attribute.key
        for d in declaration_list_usable(profile_ids=[profile.pk]).select_related("attribute")
    ]


def test_declaration_list_usable_keeps_a_declaration_whose_purpose_is_granted(profile, opinion):
    DeclarationFactory(profile=profile, attribute=opinion, value="yes")

    assert _usable(profile) == ["opinion"]


def test_declaration_list_usable_drops_it_once_consent_is_withdrawn(profile, opinion, research):
    DeclarationFactory(profile=profile, attribute=opinion, value="yes")

    withdraw(profile, research)

    assert _usable(profile) == []
    assert declaration_list_told(profile=profile).count() == 1


def test_declaration_list_usable_drops_a_row_whose_purpose_was_never_granted(profile, opinion):
    # A row no service would store (imported, generated): the customer never answered at all.
    somebody_else = grant_consent(ProfileFactory(), opinion.purpose)
    DeclarationFactory(profile=profile, attribute=opinion, value="yes", consent_event=somebody_else)

    assert _usable(profile) == []


def test_declaration_list_usable_drops_a_row_granted_only_for_another_purpose(
    profile, opinion, purpose
):
    other_grant = grant_consent(profile, purpose)
    DeclarationFactory(profile=profile, attribute=opinion, value="yes", consent_event=other_grant)

    assert _usable(profile) == []


def test_declaration_list_usable_narrows_to_purposes_and_attributes(profile, opinion, purpose):
    DeclarationFactory(profile=profile, attribute=opinion, value="yes")
    snack = AttributeFactory(key="snack", purpose=purpose)
    DeclarationFactory(profile=profile, attribute=snack, value="sweet")

    by_purpose = declaration_list_usable(profile_ids=[profile.pk], purpose_keys=["research"])
    by_attribute = declaration_list_usable(profile_ids=[profile.pk], attribute=snack)

    assert [d.attribute_id for d in by_purpose] == [opinion.pk]
    assert [d.attribute_id for d in by_attribute] == [snack.pk]


# Every reader: a customer who allows personalization and sharing, with an answer stored under
# `research`, which they have not granted. Each reader must ignore it until they grant it.


@pytest.fixture
def answered_without_research(purpose, opinion):
    sharing = published_purpose(key="partner_sharing")
    partner = PartnerClientFactory(
        key="shop",
        scopes=[Scope.PROFILES_READ, Scope.PREFERENCES_READ],
        purpose_keys=["partner_sharing", "personalization", "research"],
    )
    profile, _created = partner_link_customer(partner=partner, external_id="4711")
    grant(profile, sharing)
    personalization_grant = grant_consent(profile, purpose)
    DeclarationFactory(
        profile=profile, attribute=opinion, value="yes", consent_event=personalization_grant
    )
    profile.partner = partner
    return profile


def _in_segment(profile) -> bool:
    count, _sample = rule_preview(rule={"attribute": "opinion", "op": "eq", "value": "yes"})
    return count == 1


def _in_leads(profile) -> bool:
    return [lead.profile_id for lead in leads_for_topic(topic=Attribute.Topic.SHOPPING)] == [
        profile.pk
    ]


def _in_next_action_answers(profile) -> bool:
    return _answers(profile, None).count() == 1


def _in_partner_api(profile) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {partner_token_issue(partner=profile.partner)}")
    response = client.get(f"/api/v1/profiles/{profile.public_id}/preferences/")
    assert response.status_code == 200
    return [row["attribute"] for row in response.json()] == ["opinion"]


READERS = [_in_segment, _in_leads, _in_next_action_answers, _in_partner_api]


@pytest.mark.parametrize("reads", READERS, ids=lambda reader: reader.__name__.lstrip("_"))
def test_reader_ignores_an_answer_until_its_purpose_is_granted(
    answered_without_research, research, reads
):
    profile = answered_without_research
    assert not reads(profile)

    grant(profile, research)

    assert reads(profile)


@pytest.mark.parametrize("reads", READERS, ids=lambda reader: reader.__name__.lstrip("_"))
def test_reader_stops_using_an_answer_on_withdrawal(answered_without_research, research, reads):
    profile = answered_without_research
    grant(profile, research)
    assert reads(profile)

    withdraw(profile, research)

    assert not reads(profile)
