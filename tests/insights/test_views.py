import csv
import io
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from apps.insights.periods import site_today
from apps.insights.selectors import campaign_dashboard, program_dashboard
from apps.insights.services import rollups_refresh
from tests.campaigns.factories import CampaignFactory, OptionFactory, QuestionFactory
from tests.insights.conftest import build_survey

pytestmark = pytest.mark.django_db

PROGRAM = "admin:insights_program"
CAMPAIGN = "admin:insights_campaign"
COMPARE = "admin:insights_compare"
HIDDEN = "fewer than 5"


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def _page(response) -> str:
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


# PERMISSIONS ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "args"),
    [
        (PROGRAM, []),
        (CAMPAIGN, []),
        (COMPARE, []),
        ("admin:insights_program_csv", ["key-figures"]),
        ("admin:insights_campaign_csv", ["key-figures"]),
    ],
)
def test_staff_without_the_permission_get_403(staff_client, route, args):
    assert staff_client.get(reverse(route, args=args)).status_code == 403


def test_visitors_who_are_not_staff_are_sent_to_the_login(client, db):
    response = client.get(reverse(PROGRAM))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_admin_index_links_the_dashboards_for_analysts_only(analyst_client, staff_client):
    link = reverse("admin:insights_dashboard_changelist")

    assert link in _page(analyst_client.get(reverse("admin:index")))
    assert link not in _page(staff_client.get(reverse("admin:index")))
    response = analyst_client.get(link)
    assert response.status_code == 302
    assert response["Location"] == reverse(PROGRAM)


def test_free_text_word_counts_need_their_own_permission(analyst_client, free_text_client, survey):
    query = {"campaign": survey.campaign.pk}

    without = _page(analyst_client.get(reverse(CAMPAIGN), query))
    with_permission = _page(free_text_client.get(reverse(CAMPAIGN), query))

    assert "lecker" not in without
    assert "lecker" in with_permission
    # The raw answers are never on the page, not even for those allowed to see word counts.
    assert "Lecker und frisch" not in with_permission


def test_free_text_csv_needs_the_permission_too(analyst_client, free_text_client, survey):
    key = f"c{survey.campaign.pk}-q{survey.text.pk}-words"
    url = reverse("admin:insights_campaign_csv", args=[key])
    query = {"campaign": survey.campaign.pk}

    assert analyst_client.get(url, query).status_code == 404
    assert ["lecker", "5"] in _csv(free_text_client.get(url, query))


# WHAT THE PAGES SHOW -------------------------------------------------------------------------


def test_the_campaign_dashboard_shows_charts_with_their_data_tables(
    analyst_client, survey, english
):
    page = _page(analyst_client.get(reverse(CAMPAIGN), {"campaign": survey.campaign.pk}))

    assert page.count('role="img"') == page.count("<details")
    assert len(re.findall(r'<svg[^>]*role="img"[^>]*>\s*<title id=', page)) >= 4
    assert "<desc id=" in page
    assert "Show the data as a table" in page
    assert "Funnel" in page


def test_the_program_dashboard_renders_every_chart(analyst_client, survey, english):
    rollups_refresh()
    page = _page(analyst_client.get(reverse(PROGRAM)))

    for title in [
        "Profile depth",
        "Consent rate per purpose over time",
        "Withdrawals over time",
        "Points earned over time",
        "Tier distribution",
        "Net Promoter Score over time",
        "Churn-risk bands",
        "Challenge completion",
        "Tier moves",
    ]:
        assert title in page


def test_compare_shows_two_campaigns_side_by_side(analyst_client, purpose, english):
    first = build_survey(day=site_today(), purpose=purpose, slug="erste")
    second = build_survey(day=site_today(), purpose=purpose, slug="zweite")

    page = _page(
        analyst_client.get(
            reverse(COMPARE), {"first": first.campaign.pk, "second": second.campaign.pk}
        )
    )

    assert page.count('class="insights-panel"') == 2
    assert f'id="chart-c{first.campaign.pk}-funnel-title"' in page
    assert f'id="chart-c{second.campaign.pk}-funnel-title"' in page


def test_an_htmx_request_gets_only_the_dashboard(analyst_client, survey):
    response = analyst_client.get(
        reverse(CAMPAIGN), {"campaign": survey.campaign.pk}, headers={"HX-Request": "true"}
    )

    page = _page(response)
    assert "<html" not in page
    assert "insights-panel" in page
    assert "HX-Request" in response["Vary"]


def test_every_table_downloads_as_csv(analyst_client, survey):
    rollups_refresh()
    today = site_today()
    with translation.override("en"):
        program = program_dashboard(first=today - timedelta(days=29), last=today)
        campaign = campaign_dashboard(
            campaign=survey.campaign, first=today - timedelta(days=29), last=today, free_text=False
        )

    for key, table in program.tables().items():
        rows = _csv(analyst_client.get(reverse("admin:insights_program_csv", args=[key])))
        # The key figures' notes on what each counts come last.
        assert rows[0] == table.csv_rows()[0]
        assert rows[0][: len(table.columns)] == [str(column) for column in table.columns]
        assert len(rows) == len(table.rows) + 1
    for key, table in campaign.tables().items():
        response = analyst_client.get(
            reverse("admin:insights_campaign_csv", args=[key]), {"campaign": survey.campaign.pk}
        )
        assert response["Content-Disposition"].startswith("attachment;")
        assert len(_csv(response)) == len(table.rows) + 1


# SMALL GROUPS --------------------------------------------------------------------------------


def test_fewer_than_five_people_are_hidden_in_every_table_chart_and_csv(
    analyst_client, small_campaign, english
):
    query = {"campaign": small_campaign.pk}
    page = _page(analyst_client.get(reverse(CAMPAIGN), query))
    with translation.override("en"):
        dashboard = campaign_dashboard(
            campaign=small_campaign, first=site_today(), last=site_today(), free_text=True
        )

    for table in dashboard.tables().values():
        cells = [value for row in table.rows for value in row[1:] if value != ""]
        assert all(cell.hidden for cell in cells), table.key
        rows = _csv(
            analyst_client.get(reverse("admin:insights_campaign_csv", args=[table.key]), query)
        )
        assert not any(re.fullmatch(r"[\d.,% s]+", value) for row in rows[1:] for value in row[1:])
    for chart in dashboard.charts.values():
        # A hidden value draws only the grey placeholder, never a bar of its size.
        assert 'class="insights-chart__bar"' not in chart.svg
        assert "not shown because" in chart.description
    assert HIDDEN in page
    assert ">3<" not in page


def test_fewer_than_five_people_are_hidden_on_the_program_dashboard(analyst_client, english):
    from tests.consent.factories import grant_consent, published_purpose
    from tests.profiles.factories import ProfileFactory

    purpose = published_purpose(key="personalization")
    for _ in range(3):
        grant_consent(ProfileFactory(), purpose)
    rollups_refresh()
    today = site_today()

    dashboard = program_dashboard(first=today, last=today)

    for table in dashboard.tables().values():
        assert all(
            value.hidden for row in table.rows for value in row[1:] if hasattr(value, "hidden")
        ), table.key
    rows = _csv(analyst_client.get(reverse("admin:insights_program_csv", args=["consent"])))
    assert rows[1][1:] == [HIDDEN] * 5


# BAD INPUT -----------------------------------------------------------------------------------


def test_a_fifty_year_range_is_capped_with_a_message(analyst_client, survey, english):
    today = site_today()
    start = today.replace(year=today.year - 50)

    for route, query in [
        (PROGRAM, {}),
        (CAMPAIGN, {"campaign": survey.campaign.pk}),
    ]:
        page = _page(
            analyst_client.get(
                reverse(route), {**query, "start": start.isoformat(), "end": today.isoformat()}
            )
        )
        assert "A range can be at most 366 days long" in page
        assert "insights-chart" in page


def test_an_end_before_the_start_is_explained(analyst_client, survey, english):
    today = site_today()
    query = {"start": today.isoformat(), "end": (today - timedelta(days=5)).isoformat()}

    for route, extra in [(PROGRAM, {}), (CAMPAIGN, {"campaign": survey.campaign.pk})]:
        page = _page(analyst_client.get(reverse(route), {**query, **extra}))
        assert "The end date is before the start date." in page
        assert "insights-chart" not in page
    csv_response = analyst_client.get(reverse("admin:insights_program_csv", args=["depth"]), query)
    assert csv_response.status_code == 400


@pytest.mark.parametrize("campaign", ["999999", "abc", "-1", "1.5"])
def test_an_unknown_campaign_is_explained(analyst_client, campaign, english):
    page = _page(analyst_client.get(reverse(CAMPAIGN), {"campaign": campaign}))

    assert "There is no campaign with this id." in page


@pytest.mark.parametrize(
    "query",
    [
        {"start": "gestern"},
        {"end": "2026-02-30"},
        {"start": "0001-01-01", "end": "0001-01-02"},
        {"start": "9999-12-31"},
        {"end": "9999-12-31"},
        {"start": "9999-12-30", "end": "9999-12-31"},
        {"start": "0001-01-01"},
    ],
)
def test_odd_dates_never_fail(analyst_client, survey, query):
    for page in (PROGRAM, CAMPAIGN, reverse("admin:insights_program_csv", args=["tiers"])):
        response = analyst_client.get(
            reverse(page) if page in (PROGRAM, CAMPAIGN) else page,
            {**query, "campaign": survey.campaign.pk},
        )
        assert response.status_code in (200, 400, 404), page


def test_a_range_into_the_future_ends_today(analyst_client, survey):
    response = analyst_client.get(reverse(PROGRAM), {"end": "9999-12-31"})

    assert "the range ends today" in response.content.decode()


def test_an_unknown_table_is_not_found(analyst_client, db):
    assert (
        analyst_client.get(reverse("admin:insights_program_csv", args=["nope"])).status_code == 404
    )


def test_the_campaign_page_without_a_campaign_asks_for_one(analyst_client, english):
    page = _page(analyst_client.get(reverse(CAMPAIGN)))

    assert "Choose a campaign" in page


def test_german_is_the_default(analyst_client, survey):
    del analyst_client.cookies[settings.LANGUAGE_COOKIE_NAME]
    page = _page(analyst_client.get(reverse(CAMPAIGN), {"campaign": survey.campaign.pk}))

    assert '<html lang="de"' in page


# QUERY COUNTS --------------------------------------------------------------------------------


def _more_of_everything(purpose) -> None:
    """Four more campaigns with more questions, played on other days."""
    for n in range(4):
        build_survey(day=site_today() - timedelta(days=n + 1), purpose=purpose, slug=f"mehr-{n}")
    extra = CampaignFactory(slug="lang")
    for position in range(1, 9):
        OptionFactory.create_batch(3, question=QuestionFactory(campaign=extra, position=position))


def test_the_program_dashboard_runs_a_fixed_number_of_queries(
    analyst_client, purpose, django_assert_max_num_queries
):
    build_survey(day=site_today(), purpose=purpose)
    rollups_refresh()
    url = reverse(PROGRAM)
    analyst_client.get(url)
    with django_assert_max_num_queries(20) as few:
        _page(analyst_client.get(url))

    _more_of_everything(purpose)
    rollups_refresh()
    with django_assert_max_num_queries(20) as many:
        _page(analyst_client.get(url, {"start": (site_today() - timedelta(days=90)).isoformat()}))

    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_campaign_dashboard_runs_a_fixed_number_of_queries(
    analyst_client, purpose, django_assert_max_num_queries
):
    survey = build_survey(day=site_today(), purpose=purpose)
    rollups_refresh()
    url = reverse(CAMPAIGN)
    with django_assert_max_num_queries(30) as few:
        _page(analyst_client.get(url, {"campaign": survey.campaign.pk}))

    _more_of_everything(purpose)
    QuestionFactory(campaign=survey.campaign, position=4)
    rollups_refresh()
    with django_assert_max_num_queries(30) as many:
        _page(analyst_client.get(url, {"campaign": survey.campaign.pk}))

    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_range_in_the_past_reads_only_rollups(
    analyst_client, past_survey, django_assert_max_num_queries
):
    rollups_refresh()
    yesterday = site_today() - timedelta(days=1)
    query = {"campaign": past_survey.campaign.pk, "end": yesterday.isoformat()}

    with django_assert_max_num_queries(30) as past:
        _page(analyst_client.get(reverse(CAMPAIGN), query))
    with django_assert_max_num_queries(30) as with_today:
        _page(analyst_client.get(reverse(CAMPAIGN), {"campaign": past_survey.campaign.pk}))

    # Today adds the live queries; a past range needs none of them.
    assert len(past.captured_queries) < len(with_today.captured_queries)
    assert not any("campaigns_participation" in query["sql"] for query in past.captured_queries)


def test_a_second_browser_session_is_not_needed_for_htmx(db):
    # The pages are GET forms: without JavaScript the same URL renders the whole page.
    assert Client().get(reverse(PROGRAM)).status_code == 302


def test_comparing_a_campaign_with_itself_is_explained(analyst_client, survey, english):
    pk = survey.campaign.pk

    page = _page(analyst_client.get(reverse(COMPARE), {"first": pk, "second": pk}))

    assert "Choose two different campaigns." in page
    assert "insights-panel" not in page
