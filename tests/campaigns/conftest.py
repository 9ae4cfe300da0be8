import pytest

from apps.campaigns.models import Campaign
from tests.campaigns.factories import CampaignFactory, OptionFactory, QuestionFactory
from tests.embed_support import framed  # noqa: F401 (pages framed by a brand site)
from tests.preferences.factories import AttributeFactory


@pytest.fixture
def snack_quiz(purpose):
    """A two-question trivia quiz; the second answer also tells us a favourite snack."""
    campaign = CampaignFactory(slug="snack-quiz", kind=Campaign.Kind.TRIVIA)
    campaign.purposes.add(purpose)
    snack = AttributeFactory(key="favourite_snack", purpose=purpose, choices=["salty", "sweet"])
    first = QuestionFactory(campaign=campaign, position=1)
    second = QuestionFactory(campaign=campaign, position=2)
    options = {
        "right": OptionFactory(question=first, position=1, is_correct=True),
        "wrong": OptionFactory(question=first, position=2),
        "salty": OptionFactory(
            question=second, position=1, is_correct=True, attribute=snack, attribute_value="salty"
        ),
        "sweet": OptionFactory(
            question=second, position=2, attribute=snack, attribute_value="sweet"
        ),
    }
    return campaign, first, second, options
