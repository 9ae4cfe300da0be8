"""Every factory makes a valid row with its defaults, so a test can start from any of them."""

import pytest
from django.http import HttpRequest

from tests.campaigns.factories import (
    AnswerFactory,
    CampaignFactory,
    CampaignViewsFactory,
    OptionFactory,
    OutcomeFactory,
    ParticipationFactory,
    QuestionFactory,
)
from tests.challenges.factories import ChallengeFactory, StepFactory
from tests.consent.factories import PurposeFactory, PurposeVersionFactory
from tests.factories import PASSWORD, StaffUserFactory
from tests.loyalty.factories import BadgeFactory, EarningRuleFactory, RewardFactory, TierFactory
from tests.partners.factories import PartnerClientFactory, WebhookEndpointFactory
from tests.personalization.factories import ChurnScoreFactory, OfferFactory, SegmentFactory
from tests.preferences.factories import AttributeFactory, DeclarationFactory
from tests.privacy.factories import DataRequestFactory
from tests.profiles.factories import IdentifierFactory, ProfileFactory

FACTORIES = [
    AnswerFactory,
    AttributeFactory,
    BadgeFactory,
    CampaignFactory,
    CampaignViewsFactory,
    ChallengeFactory,
    ChurnScoreFactory,
    DataRequestFactory,
    DeclarationFactory,
    EarningRuleFactory,
    IdentifierFactory,
    OfferFactory,
    OptionFactory,
    OutcomeFactory,
    ParticipationFactory,
    PartnerClientFactory,
    ProfileFactory,
    PurposeFactory,
    PurposeVersionFactory,
    QuestionFactory,
    RewardFactory,
    SegmentFactory,
    StaffUserFactory,
    StepFactory,
    TierFactory,
    WebhookEndpointFactory,
]


@pytest.mark.django_db
@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_factory_makes_a_valid_row(factory):
    row = factory()
    # Default fields must satisfy the model's own validation, not only the database's; a
    # nullable field the factory leaves empty is fine whatever its form says.
    empty = [f.name for f in row._meta.fields if f.null and getattr(row, f.attname) is None]
    row.full_clean(validate_unique=False, exclude=empty)
    assert type(row)._default_manager.filter(pk=row.pk).exists()


@pytest.mark.django_db
def test_staff_user_factory_stores_a_password_that_signs_in(client):
    StaffUserFactory(username="anna")

    # The lock-out's backend counts sign-ins per request, so it needs one.
    assert client.login(request=HttpRequest(), username="anna", password=PASSWORD)
