import pytest

from apps.personalization.models import Segment
from apps.personalization.rule_vocabulary import OPERATORS_BY_KIND, rule_vocabulary
from apps.personalization.rules import (
    ANY_KIND_OPERATORS,
    CHOICE_OPERATORS,
    MULTI_OPERATORS,
    NUMBER_OPERATORS,
    Compiler,
)
from apps.preferences.models import Attribute
from tests.campaigns.factories import CampaignFactory, OutcomeFactory
from tests.challenges.factories import ChallengeFactory
from tests.consent.factories import PurposeFactory
from tests.loyalty.factories import TierFactory
from tests.preferences.factories import AttributeFactory

pytestmark = pytest.mark.django_db


def _catalogue(size: int, purpose) -> None:
    for n in range(size):
        AttributeFactory(purpose=purpose, choices=["a", "b", "c"])
        AttributeFactory(purpose=purpose, kind=Attribute.Kind.NUMBER, min_value=0, max_value=9)
        PurposeFactory()
        TierFactory(threshold=n * 100)
        OutcomeFactory.create_batch(2, campaign=CampaignFactory())
        ChallengeFactory()
        Segment.objects.create(key=f"segment-{n}", name=f"Segment {n}", rule={"tier": "x"})


@pytest.mark.parametrize("size", [1, 10])
def test_rule_vocabulary_needs_the_same_queries_however_much_there_is(
    purpose, django_assert_num_queries, size
):
    _catalogue(size, purpose)

    with django_assert_num_queries(8):
        vocabulary = rule_vocabulary()

    assert len(vocabulary["attributes"]) == 2 * size
    assert len(vocabulary["campaigns"]) == size
    assert all(len(campaign["outcomes"]) == 2 for campaign in vocabulary["campaigns"])
    assert len(vocabulary["segments"]) == size


def test_rule_vocabulary_offers_every_condition_kind_the_compiler_knows(purpose):
    vocabulary = rule_vocabulary()

    assert [kind["key"] for kind in vocabulary["kinds"]] == list(Compiler.CONDITIONS)
    assert all(kind["label"] for kind in vocabulary["kinds"])
    assert {group["key"] for group in vocabulary["groups"]} == {"all", "any", "not"}


def test_rule_vocabulary_offers_exactly_the_operators_the_compiler_accepts():
    offered = {kind: set(operators) for kind, operators in OPERATORS_BY_KIND.items()}

    assert set(offered) == set(Attribute.Kind)
    assert offered[Attribute.Kind.SINGLE_CHOICE] == CHOICE_OPERATORS | ANY_KIND_OPERATORS
    assert offered[Attribute.Kind.MULTIPLE_CHOICE] == MULTI_OPERATORS | ANY_KIND_OPERATORS
    assert offered[Attribute.Kind.SCALE] == NUMBER_OPERATORS | ANY_KIND_OPERATORS
    assert offered[Attribute.Kind.NUMBER] == NUMBER_OPERATORS | ANY_KIND_OPERATORS
    assert offered[Attribute.Kind.TEXT] == ANY_KIND_OPERATORS
    assert offered[Attribute.Kind.DATE] == ANY_KIND_OPERATORS


def test_rule_vocabulary_lists_only_active_attributes_with_their_values(purpose):
    AttributeFactory(key="diet", purpose=purpose, choices=["vegan", "omni"])
    AttributeFactory(key="old", purpose=purpose, is_active=False)

    (diet,) = rule_vocabulary()["attributes"]

    assert diet["key"] == "diet"
    assert diet["kind"] == "single_choice"
    assert [value["key"] for value in diet["values"]] == ["vegan", "omni"]
