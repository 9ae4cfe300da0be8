from datetime import timedelta

import pytest

from apps.insights.periods import site_today
from apps.insights.selectors import campaign_dashboard, program_dashboard
from apps.insights.services import rollups_refresh
from tests.insights.conftest import EXPECTED

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _values(table) -> dict[str, str]:
    return {str(row[0]): str(row[1]) for row in table.rows}


def _dashboard(survey, *, free_text: bool = False, days: int = 7):
    today = site_today()
    return campaign_dashboard(
        campaign=survey.campaign,
        first=today - timedelta(days=days),
        last=today,
        free_text=free_text,
    )


@pytest.fixture(params=["live", "rolled up"])
def played(request, purpose):
    """The survey counted live (played today) and from the rollups (three days ago)."""
    from tests.insights.conftest import build_survey

    days_ago = 0 if request.param == "live" else 3
    survey = build_survey(day=site_today() - timedelta(days=days_ago), purpose=purpose)
    rollups_refresh()
    return survey


def test_campaign_dashboard_funnel_matches_the_hand_count(played):
    funnel = _dashboard(played).funnel

    counts = [cell.value for _step, cell, *_rest in funnel.table.rows]

    assert counts == [
        EXPECTED["views"],
        EXPECTED["starts"],
        *EXPECTED["passed"],
        EXPECTED["completions"],
    ]
    # Drop-off after starts: one player left at each question, each hidden as fewer than 5.
    assert [str(row[3]) for row in funnel.table.rows[2:]] == ["fewer than 5"] * 4
    assert str(funnel.table.rows[2][2]) == "91%"


def test_campaign_key_figures_match_the_hand_count(played):
    figures = _values(_dashboard(played).key_figures)

    assert figures["Starts"] == "11"
    assert figures["Completions"] == "8"
    assert figures["Completion rate"] == EXPECTED["completion_rate"]
    assert figures["Average time to complete"] == "60 s"
    assert figures["First play ever (new participants)"] == "6"
    assert figures["Played before (returning participants)"] == "5"
    assert figures["Points paid"] == "300"


def test_answer_distributions_match_the_hand_count(played):
    dashboard = _dashboard(played)
    single, scale, text = dashboard.questions

    assert _values(single.chart.table) == {
        "sweet": "6",
        "savoury": "fewer than 5",
        "spicy": "fewer than 5",
    }
    # A 0-10 question is a recommendation question: its answers count as NPS groups.
    assert _values(scale.chart.table) == {
        "Promoters (9-10)": "5",
        "Passives (7-8)": "fewer than 5",
        "Detractors (0-6)": "fewer than 5",
        # Beside the number of respondents, the score would give the small groups away.
        "Net Promoter Score": "fewer than 5",
    }
    assert text.chart is None


def test_outcomes_hide_the_larger_group_when_only_one_other_is_small(played):
    outcomes = _dashboard(played).outcomes

    # 8 completions are shown: "savoury" (2) could be worked out from "sweet" (6).
    assert _values(outcomes.table) == {"sweet": "fewer than 5", "savoury": "fewer than 5"}


def test_consent_and_declarations_gained_match_the_hand_count(played):
    dashboard = _dashboard(played)

    (row,) = dashboard.consent.rows
    # Agreed, refused (the two who said no had never agreed), withdrawn, rate.
    assert [str(value) for value in row[1:]] == [
        "6",
        "fewer than 5",
        "fewer than 5",
        EXPECTED["consent_rate"],
    ]
    (declared,) = dashboard.declarations.rows
    assert str(declared[1]) == "6"


def test_free_text_is_only_word_counts_and_only_with_permission(played):
    hidden = _dashboard(played).questions[2]
    shown = _dashboard(played, free_text=True).questions[2]

    assert hidden.words is None
    assert hidden.words_hidden
    # Only words used by five or more answers: "frisch" (3) and "teuer" (2) stay unread.
    assert _values(shown.words) == {"lecker": "5"}


def test_a_range_without_the_play_day_shows_nothing(past_survey):
    rollups_refresh()
    today = site_today()
    dashboard = campaign_dashboard(
        campaign=past_survey.campaign, first=today - timedelta(days=1), last=today, free_text=True
    )

    assert [cell.value for _step, cell, *_rest in dashboard.funnel.table.rows][1:] == [None] * 5


def test_program_dashboard_counts_nps_and_consent(played):
    today = site_today()
    dashboard = program_dashboard(first=today - timedelta(days=7), last=today)

    nps = dashboard.charts["nps"].table
    totals = [row for row in nps.rows if str(row[1]) != "fewer than 5"]
    assert len(totals) == 1
    # The score (50) would give the two small groups away beside the five promoters.
    assert [str(value) for value in totals[0][1:]] == [
        "5",
        "fewer than 5",
        "fewer than 5",
        "fewer than 5",
    ]
    figures = _values(dashboard.key_figures)
    assert figures["Net Promoter Score"] == "fewer than 5"
    consent = {
        str(row[0]): [str(value) for value in row[1:]]
        for row in dashboard.tables_only["consent"].rows
    }
    (purpose_row,) = consent.values()
    # 75% of decisions beside 6 grants would tell that the hidden refusals and withdrawals
    # are 2 together: the rate is hidden with them.
    assert purpose_row[1:] == ["6", "fewer than 5", "fewer than 5", "fewer than 5"]


def test_program_dashboard_reads_the_snapshot_of_the_last_run(survey):
    rollups_refresh()
    today = site_today()

    dashboard = program_dashboard(first=today - timedelta(days=7), last=today)

    figures = _values(dashboard.key_figures)
    # 11 survey players and 5 of them also played before: 11 profiles.
    assert figures["Profiles"] == "11"
    assert figures["Points earned"] == "300"
    assert figures["Outstanding points (liability)"] == "300"
    depth = _values(dashboard.charts["depth"].table)
    assert depth["1"] == "6"
    assert depth["0"] == "5"
    assert dashboard.snapshot_day == today


# Where the snack campaign's end screen takes decisions (on our site, in two brands' frames),
# and three places that are not it.
SNACK_POINTS = {
    "campaign:snack": 3,
    "embed:https://shop.example#snack": 2,
    "embed:http://127.0.0.2:8001#snack": 1,
}
ELSEWHERE = ["embed:https://shop.example#other", "embed:https://shop.example", "campaign:snack-2"]


def _snack_campaign(purpose):
    from tests.campaigns.factories import CampaignFactory

    snack = CampaignFactory(slug="snack")
    snack.purposes.add(purpose)
    return snack


def _agreed(campaign) -> str:
    today = site_today()
    dashboard = campaign_dashboard(
        campaign=campaign, first=today - timedelta(days=7), last=today, free_text=False
    )
    (row,) = dashboard.consent.rows
    return str(row[1])


def test_campaign_consent_counts_decisions_in_brand_frames_live(purpose):
    from tests.consent.factories import grant_consent
    from tests.profiles.factories import ProfileFactory

    snack = _snack_campaign(purpose)
    for point, people in {**SNACK_POINTS, **dict.fromkeys(ELSEWHERE, 5)}.items():
        for _ in range(people):
            grant_consent(ProfileFactory(), purpose, collection_point=point)

    assert _agreed(snack) == "6"


def test_campaign_consent_counts_decisions_in_brand_frames_rolled_up(
    purpose, django_assert_num_queries
):
    from apps.insights.models import ConsentDayRollup

    snack = _snack_campaign(purpose)
    day = site_today() - timedelta(days=2)
    for point, grants in {**SNACK_POINTS, **dict.fromkeys(ELSEWHERE, 50)}.items():
        ConsentDayRollup.objects.create(
            day=day, purpose=purpose, collection_point=point, grants=grants
        )

    # As many queries as before decisions in frames were counted: one reads every place.
    with django_assert_num_queries(17):
        assert _agreed(snack) == "6"
