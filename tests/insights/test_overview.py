from datetime import date, timedelta

import pytest

from apps.insights.models import (
    CampaignDayRollup,
    ConsentDayRollup,
    DeclarationDayRollup,
    ProgramDayRollup,
)
from apps.insights.periods import site_today
from apps.insights.selectors import campaign_list_figures, program_headline
from tests.campaigns.factories import CampaignFactory
from tests.consent.factories import published_purpose
from tests.preferences.factories import AttributeFactory

pytestmark = pytest.mark.django_db


def test_campaign_list_figures_add_up_every_stored_day_of_each_campaign():
    purpose = published_purpose(key="personalization")
    attribute = AttributeFactory(purpose=purpose)
    snack, quiet = CampaignFactory(slug="snack"), CampaignFactory(slug="leise")
    for day in (date(2026, 5, 1), date(2026, 5, 2)):
        CampaignDayRollup.objects.create(
            day=day, campaign=snack, starts=20, completions=15, points_paid=300, points_people=10
        )
        DeclarationDayRollup.objects.create(
            day=day, campaign=snack, attribute=attribute, declarations=6
        )
        ConsentDayRollup.objects.create(
            day=day, purpose=purpose, collection_point="campaign:snack", grants=9, refusals=3
        )
    ConsentDayRollup.objects.create(
        day=date(2026, 5, 1), purpose=purpose, collection_point="preference-center", grants=50
    )
    CampaignDayRollup.objects.create(day=date(2026, 5, 1), campaign=quiet, starts=3)

    figures = campaign_list_figures(campaigns=[snack, quiet])

    assert str(figures[snack.pk].plays) == "40"
    assert str(figures[snack.pk].completion_rate) == "75 %"
    assert str(figures[snack.pk].consent_rate) == "75 %"
    assert str(figures[snack.pk].declarations) == "12"
    assert str(figures[snack.pk].points_paid) == "600"
    # Three plays: fewer than five people stand behind every figure of it.
    assert all(
        getattr(figures[quiet.pk], name).hidden
        for name in ("plays", "completion_rate", "consent_rate", "declarations", "points_paid")
    )


def test_campaign_list_figures_read_three_queries_for_any_page(django_assert_num_queries):
    campaigns = [CampaignFactory() for _ in range(6)]

    with django_assert_num_queries(3):
        campaign_list_figures(campaigns=campaigns)
    with django_assert_num_queries(0):
        assert campaign_list_figures(campaigns=[]) == {}


def test_the_headline_counts_the_last_30_stored_days_and_the_latest_snapshot():
    today = site_today()
    ProgramDayRollup.objects.create(
        day=today - timedelta(days=40), points_earned=5000, earners=100, profiles=10
    )
    ProgramDayRollup.objects.create(
        day=today - timedelta(days=2), points_earned=700, earners=30, profiles=300, accounts=2
    )

    headline = program_headline()

    figures = {figure.key: figure for figure in headline.figures}
    assert headline.last == today - timedelta(days=1)
    assert str(figures["points"].value) == "700"
    assert str(figures["profiles"].value) == "300"
    # Two accounts hold the outstanding points: too few to show.
    assert figures["liability"].value.hidden


def test_campaign_list_consent_rate_counts_decisions_in_brand_frames():
    purpose = published_purpose(key="personalization")
    snack = CampaignFactory(slug="snack")
    places = {
        "campaign:snack": (3, 1),
        "embed:https://shop.example#snack": (5, 3),
        "embed:https://shop.example#other": (0, 50),
        "embed:https://shop.example": (0, 50),
    }
    for point, (grants, refusals) in places.items():
        ConsentDayRollup.objects.create(
            day=date(2026, 5, 1),
            purpose=purpose,
            collection_point=point,
            grants=grants,
            refusals=refusals,
        )

    figures = campaign_list_figures(campaigns=[snack])

    # 8 yes of 12 decisions: 3 of 4 on our site, 5 of 8 in a brand's frame.
    assert str(figures[snack.pk].consent_rate) == "67 %"
