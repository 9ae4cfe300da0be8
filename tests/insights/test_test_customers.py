"""A staff user's test play — points, answers, consents, declarations — changes no figure."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.campaigns.services import (
    answer_submit,
    participation_complete,
    participation_keep_answers,
    participation_start,
)
from apps.insights import figures
from apps.insights.periods import site_today
from apps.insights.services import rollups_refresh
from apps.profiles.services import profile_test_for
from tests.campaigns.factories import CampaignFactory, OptionFactory, QuestionFactory
from tests.consent.factories import grant_consent
from tests.insights.test_services import _snapshot
from tests.loyalty.factories import EarningRuleFactory
from tests.preferences.factories import AttributeFactory

pytestmark = pytest.mark.django_db


def _test_play(purpose) -> None:
    tester = profile_test_for(user=get_user_model().objects.create_user("team", is_staff=True))
    campaign = CampaignFactory(slug="test-quiz")
    campaign.purposes.add(purpose)
    diet = AttributeFactory(key="diet", purpose=purpose, choices=["vegan", "omnivore"])
    question = QuestionFactory(campaign=campaign, position=1)
    option = OptionFactory(question=question, attribute=diet, attribute_value="vegan")
    play = participation_start(campaign=campaign, profile=tester, locale="de")
    answer_submit(participation=play, question_id=question.pk, option_ids=[option.pk])
    participation_complete(participation=play)
    grant_consent(tester, purpose, collection_point="campaign:test-quiz")
    assert participation_keep_answers(participation=play)


def test_a_test_play_changes_no_rollup(survey, purpose):
    EarningRuleFactory(points=50)
    rollups_refresh()
    before = _snapshot()

    _test_play(purpose)
    rollups_refresh()

    assert _snapshot() == before


def test_a_test_play_changes_no_live_figure_of_today(survey, purpose):
    EarningRuleFactory(points=50)
    today = site_today()

    def live():
        campaigns = figures.campaign_figures(first=today, last=today)
        program, breakdowns = figures.program_snapshot(now=timezone.now())
        return (
            sorted(map(str, campaigns.values())),
            sorted(map(str, figures.consent_figures(first=today, last=today))),
            sorted(map(str, figures.program_flows(first=today, last=today))),
            program,
            sorted(map(str, breakdowns)),
        )

    before = live()
    _test_play(purpose)

    assert live() == before


def test_a_test_customers_move_up_a_tier_is_no_tier_move(db):
    from apps.core.models import OutboxEvent
    from apps.loyalty.events import TierChanged
    from tests.profiles.factories import ProfileFactory

    tester = profile_test_for(user=get_user_model().objects.create_user("team", is_staff=True))
    for profile in (tester, ProfileFactory()):
        OutboxEvent.objects.create(
            name=TierChanged.name,
            payload={"profile": str(profile.public_id), "tier": "gold", "previous": None},
        )
    today = site_today()

    [flows] = figures.program_flows(first=today, last=today)

    assert flows["tier_ups"] + flows["tier_downs"] == 1
