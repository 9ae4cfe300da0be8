import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.consent.evidence import Evidence
from apps.consent.models import Channel
from apps.consent.services import consent_withdraw
from apps.personalization.models import Segment
from apps.personalization.rules import RuleError
from apps.personalization.selectors import rule_preview, segment_profiles
from apps.personalization.services import segment_save
from apps.preferences.models import Attribute, Declaration, Source
from apps.profiles.models import Profile
from tests.consent.factories import grant_consent
from tests.preferences.factories import AttributeFactory
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db

DIETS = ["vegan", "veggie", "omni"]
SNACKS = ["salty", "sweet", "spicy"]


@pytest.fixture
def attributes(purpose):
    return {
        "diet": AttributeFactory(key="diet", purpose=purpose, choices=DIETS),
        "snacks": AttributeFactory(
            key="snacks", purpose=purpose, kind=Attribute.Kind.MULTIPLE_CHOICE, choices=SNACKS
        ),
        "budget": AttributeFactory(
            key="budget", purpose=purpose, kind=Attribute.Kind.NUMBER, min_value=0, max_value=200
        ),
    }


@pytest.fixture
def population(attributes, purpose):
    """Forty customers with random declarations; a quarter said no to personalization."""
    chance = random.Random(7)
    people = {}
    for _n in range(40):
        profile = ProfileFactory()
        grant = grant_consent(profile, purpose)
        facts = {"consent": chance.random() > 0.25}
        if chance.random() < 0.7:
            facts["diet"] = chance.choice(DIETS)
        if chance.random() < 0.7:
            facts["snacks"] = sorted(chance.sample(SNACKS, chance.randint(1, 3)))
        if chance.random() < 0.7:
            facts["budget"] = chance.randint(0, 200)
        for key in ("diet", "snacks", "budget"):
            if key in facts:
                Declaration.objects.create(
                    profile=profile,
                    attribute=attributes[key],
                    value=facts[key],
                    source=Source.IMPORT,
                    consent_event=grant,
                )
        if not facts["consent"]:
            consent_withdraw(
                profile=profile,
                purpose=purpose,
                channel=Channel.WEB,
                collection_point="test",
                evidence=Evidence(),
                language="de",
            )
        people[profile.pk] = facts
    return people


def _holds(rule: dict, facts: dict) -> bool:
    """The oracle: the rule judged in Python, from the facts the population was made of."""
    if "all" in rule:
        return all(_holds(part, facts) for part in rule["all"])
    if "any" in rule:
        return any(_holds(part, facts) for part in rule["any"])
    if "not" in rule:
        return not _holds(rule["not"], facts)
    key, op, value = rule["attribute"], rule["op"], rule.get("value")
    if key not in facts:
        return False
    told = facts[key]
    return {
        "declared": lambda: True,
        "eq": lambda: told == value,
        "in": lambda: told in value,
        "has": lambda: value in told,
        "has_any": lambda: bool(set(value) & set(told)),
        "gte": lambda: told >= value,
        "lte": lambda: told <= value,
        "between": lambda: value[0] <= told <= value[1],
    }[op]()


conditions = st.one_of(
    st.builds(lambda v: {"attribute": "diet", "op": "eq", "value": v}, st.sampled_from(DIETS)),
    st.builds(
        lambda v: {"attribute": "diet", "op": "in", "value": v},
        st.lists(st.sampled_from(DIETS), min_size=1, max_size=3, unique=True),
    ),
    st.builds(lambda v: {"attribute": "snacks", "op": "has", "value": v}, st.sampled_from(SNACKS)),
    st.builds(
        lambda v: {"attribute": "snacks", "op": "has_any", "value": v},
        st.lists(st.sampled_from(SNACKS), min_size=1, max_size=3, unique=True),
    ),
    st.builds(
        lambda op, v: {"attribute": "budget", "op": op, "value": v},
        st.sampled_from(["eq", "gte", "lte"]),
        st.integers(0, 200),
    ),
    st.builds(
        lambda a, b: {"attribute": "budget", "op": "between", "value": sorted([a, b])},
        st.integers(0, 200),
        st.integers(0, 200),
    ),
    st.builds(
        lambda k: {"attribute": k, "op": "declared"}, st.sampled_from(["diet", "snacks", "budget"])
    ),
)
rules = st.recursive(
    conditions,
    lambda inner: st.one_of(
        st.builds(lambda parts: {"all": parts}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda parts: {"any": parts}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda part: {"not": part}, inner),
    ),
    max_leaves=6,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rule=rules)
def test_every_operator_compiles_to_sql_that_agrees_with_the_oracle(population, rule):
    compiled = set(
        Profile.objects.filter(
            pk__in=segment_profiles(segment=Segment(key="probe", rule=rule)).values("pk")
        ).values_list("pk", flat=True)
    )

    expected = {pk for pk, facts in population.items() if facts["consent"] and _holds(rule, facts)}
    assert compiled == expected


def test_a_segment_is_one_query(population, django_assert_num_queries):
    segment = Segment(key="vegans", rule={"attribute": "diet", "op": "eq", "value": "vegan"})
    members = segment_profiles(segment=segment)

    with django_assert_num_queries(1):
        assert members.count() >= 0


def test_withdrawing_personalization_leaves_the_segment_on_the_next_read(attributes, purpose):
    profile = ProfileFactory()
    grant = grant_consent(profile, purpose)
    Declaration.objects.create(
        profile=profile,
        attribute=attributes["diet"],
        value="vegan",
        source=Source.IMPORT,
        consent_event=grant,
    )
    segment = segment_save(
        segment=Segment(
            key="vegan", name="Vegan", rule={"attribute": "diet", "op": "eq", "value": "vegan"}
        )
    )
    assert list(segment_profiles(segment=segment)) == [profile]

    consent_withdraw(
        profile=profile,
        purpose=purpose,
        channel=Channel.WEB,
        collection_point="test",
        evidence=Evidence(),
        language="de",
    )

    assert list(segment_profiles(segment=segment)) == []


def test_segments_include_segments(attributes, population):
    segment_save(
        segment=Segment(
            key="vegan", name="V", rule={"attribute": "diet", "op": "eq", "value": "vegan"}
        )
    )
    rule = {"all": [{"segment": "vegan"}, {"attribute": "budget", "op": "gte", "value": 100}]}

    count, sample = rule_preview(rule=rule)

    expected = [
        pk
        for pk, f in population.items()
        if f["consent"] and f.get("diet") == "vegan" and f.get("budget", -1) >= 100
    ]
    assert count == len(expected)
    assert len(sample) == min(10, count)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"attribute": "gone", "op": "eq", "value": "x"}, "no attribute"),
        ({"attribute": "diet", "op": "gte", "value": 3}, "does not fit"),
        ({"attribute": "budget", "op": "eq", "value": "many"}, "whole number"),
        ({"attribute": "budget", "op": "between", "value": [50, 10]}, "lowest first"),
        ({"attribute": "diet", "op": "in", "value": ["vegan"] * 501}, "At most 500"),
        ({"attribute": "diet", "op": "eq", "value": "carnivore"}, "has no value"),
        ({"any": []}, "needs a list"),
        ({"weather": "sunny"}, "Unknown condition"),
        ("vegan", "one condition"),
        ({"segment": "missing"}, "no segment"),
        ({"tier": "platinum"}, "no tier"),
        (
            {
                "not": {
                    "not": {
                        "not": {
                            "not": {
                                "not": {
                                    "not": {
                                        "not": {
                                            "not": {"not": {"attribute": "diet", "op": "declared"}}
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            },
            "nest",
        ),
    ],
)
def test_bad_rules_are_refused_with_a_clear_message(attributes, rule, message, english):
    with pytest.raises(RuleError, match=message):
        segment_save(segment=Segment(key="bad", name="Bad", rule=rule))

    assert not Segment.objects.exists()


def test_segments_including_each_other_in_a_circle_are_refused(attributes, english):
    segment_save(segment=Segment(key="a", name="A", rule={"attribute": "diet", "op": "declared"}))
    segment_save(segment=Segment(key="b", name="B", rule={"segment": "a"}))
    a = Segment.objects.get(key="a")
    a.rule = {"segment": "b"}

    with pytest.raises(RuleError, match="circle"):
        segment_save(segment=a)


def test_conditions_on_loyalty_participation_and_challenges(purpose):
    from apps.loyalty.services import ledger_credit
    from tests.challenges.factories import StepFactory
    from tests.loyalty.factories import TierFactory
    from tests.profiles.helpers import one_question_campaign, play

    TierFactory(key="silver", threshold=100)
    campaign, question, option = one_question_campaign("snack-typ")
    step = StepFactory(challenge__slug="quiz-monat")
    busy, idle = ProfileFactory(), ProfileFactory()
    for profile in (busy, idle):
        grant_consent(profile, purpose)
    ledger_credit(profile=busy, points=150, idempotency_key="k", reason="quiz")
    play(campaign, question, option, busy)

    for rule in (
        {"tier": "silver"},
        {"balance_gte": 100},
        {"earned_within_days": 30, "gte": 100},
        {"completed_campaign": "snack-typ"},
        {"completed_challenge": step.challenge.slug},
        {"consent": "personalization"},
    ):
        members = set(segment_profiles(segment=Segment(key="probe", rule=rule)))
        assert members == {busy} or (
            rule == {"consent": "personalization"} and members == {busy, idle}
        ), rule


def test_an_answer_counts_only_while_its_own_purpose_is_granted(purpose):
    from apps.consent.models import ConsentState
    from tests.consent.factories import published_purpose

    health = published_purpose(key="health_personalization", allows_special_category=True)
    intolerance = AttributeFactory(
        key="intolerance", purpose=health, choices=["lactose"], is_special_category=True
    )
    profile = ProfileFactory()
    grant_consent(profile, purpose)
    grant = grant_consent(profile, health)
    Declaration.objects.create(
        profile=profile,
        attribute=intolerance,
        value="lactose",
        source=Source.IMPORT,
        consent_event=grant,
    )
    rule = {"attribute": "intolerance", "op": "eq", "value": "lactose"}
    assert rule_preview(rule=rule)[0] == 1

    consent_withdraw(
        profile=profile,
        purpose=health,
        channel=Channel.WEB,
        collection_point="test",
        evidence=Evidence(),
        language="de",
    )

    assert ConsentState.objects.get(profile=profile, purpose=health).status == "withdrawn"
    assert rule_preview(rule=rule)[0] == 0
    assert rule_preview(rule={"not": rule})[0] == 1


def test_a_condition_object_holds_one_condition(attributes, english):
    with pytest.raises(RuleError, match="One condition per object"):
        rule_preview(rule={"attribute": "diet", "op": "declared", "consent": "personalization"})


def test_an_unknown_purpose_is_refused(attributes, english):
    with pytest.raises(RuleError, match="no purpose"):
        rule_preview(rule={"not": {"consent": "emial_marketing"}})
