import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.campaigns.events import QuizCompleted
from apps.loyalty.models import Account, EarningRule
from apps.personalization.models import ChurnScore, Segment
from apps.personalization.services import segment_save
from tests.events import publish_part
from tests.loyalty.factories import EarningRuleFactory
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_risk():
    return segment_save(segment=Segment(key="at-risk", name="At risk", rule={"churn_risk": "high"}))


def _score(profile, band: str) -> None:
    from django.utils import timezone

    ChurnScore.objects.create(profile=profile, score=80, band=band, computed_at=timezone.now())


def test_a_bonus_rule_pays_only_the_segment_and_needs_no_consent(at_risk):
    EarningRuleFactory(points=50)
    EarningRuleFactory(points=50, name="Double points", segment_key="at-risk")
    drifting, regular = ProfileFactory(), ProfileFactory()
    _score(drifting, ChurnScore.Band.HIGH)
    _score(regular, ChurnScore.Band.LOW)

    with transaction.atomic():
        for profile in (drifting, regular):
            publish_part(QuizCompleted, profile=str(profile.public_id))

    assert Account.objects.get(profile=drifting).balance == 100
    assert Account.objects.get(profile=regular).balance == 50


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"consent": "email_marketing"}, "consent"),
        ({"attribute": "diet", "op": "declared"}, "consent"),
        ({"all": [{"churn_risk": "high"}, {"not": {"consent": "leaderboard"}}]}, "consent"),
        ({"segment": "at-risk", "consent": "email_marketing"}, "consent"),
    ],
)
def test_a_bonus_cannot_depend_on_consent_or_on_what_people_told_us(
    rule, message, purpose, english
):
    from tests.preferences.factories import AttributeFactory

    AttributeFactory(key="diet", purpose=purpose)
    Segment.objects.create(key="told", name="Told", rule=rule)
    bonus = EarningRule(name="Bonus", event_name="quiz.completed", points=10, segment_key="told")

    with pytest.raises(ValidationError, match=message):
        bonus.full_clean()


def test_an_unknown_segment_is_refused(english):
    bonus = EarningRule(name="Bonus", event_name="quiz.completed", points=10, segment_key="nope")

    with pytest.raises(ValidationError, match="no segment"):
        bonus.full_clean()


def test_a_bonus_segment_whose_tier_was_removed_pays_no_bonus_and_breaks_nothing(english):
    from tests.loyalty.factories import TierFactory

    tier = TierFactory(key="gold", threshold=1000)
    segment_save(segment=Segment(key="gold-members", name="Gold", rule={"tier": "gold"}))
    EarningRuleFactory(points=50)
    EarningRuleFactory(points=50, name="Gold bonus", segment_key="gold-members")
    tier.delete()
    profile = ProfileFactory()

    with transaction.atomic():
        publish_part(QuizCompleted, profile=str(profile.public_id))

    assert Account.objects.get(profile=profile).balance == 50
