"""A fresh `seed_demo` opens on a lived-in program: every key figure of the program dashboard
above the threshold, leaderboard, poll, leads and segments filled. Seeded here with 300
customers rather than the 3000 of `make run`, to keep the suite quick; 300 is enough for every
figure to pass the threshold."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.campaigns.models import Campaign, OptionTally
from apps.challenges.models import Challenge
from apps.challenges.periods import period_of
from apps.challenges.selectors import leaderboard_ranking
from apps.core.demo import DEMO_STAFF_USERNAME
from apps.insights.forms import DEFAULT_RANGE_DAYS
from apps.insights.periods import site_today
from apps.insights.selectors import campaign_dashboard, campaign_list_figures, program_dashboard
from apps.insights.suppression import MINIMUM_GROUP
from apps.personalization.leads import leads_for_topic
from apps.personalization.models import Segment
from apps.personalization.selectors.segments import segment_profiles
from apps.preferences.models import Attribute
from apps.profiles.models import Profile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_in_tmp", "english")]

POPULATION = 300


@pytest.fixture
def seeded(settings) -> None:
    settings.DEBUG = True
    call_command("seed_demo", population=POPULATION, verbosity=0)


def test_a_fresh_demo_shows_every_key_figure_on_the_staff_dashboards(seeded):
    today = site_today()
    first = today - timezone.timedelta(days=DEFAULT_RANGE_DAYS - 1)

    program = program_dashboard(first=first, last=today)
    survey = campaign_dashboard(
        campaign=Campaign.objects.get(slug="weiterempfehlen"),
        first=first,
        last=today,
        free_text=False,
    )

    for dashboard in (program, survey):
        hidden = [str(label) for label, value in dashboard.key_figures.rows if value.hidden]
        assert hidden == []
    for table in program.tables_only.values():
        # Tier moves down need a shrinking window; everything else has people behind it.
        shown = [value for row in table.rows for value in row[1:] if not value.hidden]
        assert shown, table.key
    # The page as staff open it, in German.
    client = Client()
    client.force_login(get_user_model().objects.get(username=DEMO_STAFF_USERNAME))
    response = client.get(reverse("admin:insights_program"))
    assert response.status_code == 200
    page = response.content.decode()
    key_figures = page[page.index("Kennzahlen") : page.index("Profiltiefe")]
    assert "weniger als 5" not in key_figures
    # Each figure with a line on what it counts.
    assert key_figures.count('class="insights-table__note"') == 9
    assert "Punkte, die im gewählten Zeitraum für Prämien eingelöst wurden." in key_figures
    # The profiles: the population and the one customer the demo makes itself.
    assert f"<td>{POPULATION + 1}</td>" in key_figures


def test_the_campaign_list_shows_the_consent_rate_of_every_campaign_that_asks(seeded):
    asking = Campaign.objects.filter(purposes__isnull=False).distinct()
    assert asking

    figures = campaign_list_figures(campaigns=list(asking))

    for campaign in asking:
        row = figures[campaign.pk]
        hidden = [
            name
            # Declarations only where answers map to attributes: a trivia quiz gains none.
            for name in ("plays", "completion_rate", "consent_rate")
            if getattr(row, name).hidden
        ]
        assert hidden == [], campaign.slug


def test_a_fresh_demo_fills_leaderboard_poll_leads_and_segments_once(seeded):
    challenge = Challenge.objects.get(slug="quiz-monat")
    board = leaderboard_ranking(
        challenge=challenge, period=period_of(challenge, timezone.localdate())
    )
    assert len(board) >= MINIMUM_GROUP
    votes = OptionTally.objects.filter(option__question__campaign__slug="sommer-sorte")
    assert all(count >= MINIMUM_GROUP for count in votes.values_list("count", flat=True))
    topic = Attribute.objects.get(key="expert_talk_requested").topic
    assert len(leads_for_topic(topic=topic)) >= MINIMUM_GROUP
    for segment in Segment.objects.all():
        assert segment_profiles(segment=segment).count() >= MINIMUM_GROUP, segment.key
    profiles = Profile.objects.count()

    call_command("seed_demo", population=POPULATION, verbosity=0)

    assert Profile.objects.count() == profiles
