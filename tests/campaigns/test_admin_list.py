from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from apps.campaigns.admin_figures import campaign_schedule_status
from apps.campaigns.models import Campaign
from apps.insights.models import CampaignDayRollup
from apps.privacy.roles import CAMPAIGN_MANAGER
from tests.campaigns.factories import CampaignFactory

pytestmark = pytest.mark.django_db

LIST = reverse("admin:campaigns_campaign_changelist")
# What any list page of the admin reads (session, user, the second factor's device,
# permissions, counts, the page's campaigns), and three for the figures.
QUERIES = 11


@pytest.fixture
def manager_client(client):
    user = User.objects.create_user(username="maria", is_staff=True)
    user.groups.add(Group.objects.get(name=CAMPAIGN_MANAGER))
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("status", "starts", "ends", "shown"),
    [
        (Campaign.Status.DRAFT, None, None, "Entwurf"),
        (Campaign.Status.LIVE, None, None, "Live"),
        (Campaign.Status.LIVE, 2, None, "Geplant"),
        (Campaign.Status.LIVE, None, -2, "Beendet"),
        (Campaign.Status.SCHEDULED, 2, None, "Geplant"),
        (Campaign.Status.ENDED, None, None, "Beendet"),
    ],
)
def test_the_status_is_the_one_customers_meet(status, starts, ends, shown):
    now = timezone.now()
    campaign = Campaign(
        status=status,
        starts_at=now + timedelta(days=starts) if starts else None,
        ends_at=now + timedelta(days=ends) if ends else None,
    )

    assert campaign_schedule_status(campaign, now=now) == shown


def test_the_list_shows_each_campaign_by_title_with_its_figures(manager_client):
    campaign = CampaignFactory(slug="fruehstueck", title_de="Welcher Frühstückstyp bist du?")
    CampaignDayRollup.objects.create(
        day=date(2026, 5, 1),
        campaign=campaign,
        starts=40,
        completions=30,
        points_paid=1200,
        points_people=30,
    )
    CampaignFactory(
        title_de="Sommerumfrage", starts_at=timezone.now() + timedelta(days=3), ends_at=None
    )

    response = manager_client.get(LIST)

    html = response.content.decode()
    assert "Welcher Frühstückstyp bist du?" in html
    assert '<td class="field-plays">40</td>' in html
    assert '<td class="field-completion_rate">75 %</td>' in html
    assert '<td class="field-points_paid">1.200</td>' in html
    assert '<td class="field-schedule_status">Geplant</td>' in html
    for header in ("Teilnahmen", "Abschlussquote", "Einwilligungsquote", "Gewonnene Angaben"):
        assert header in html
    # A figure too few people stand behind is short in the column, said in full on hover.
    assert '<span title="weniger als 5">&lt;&nbsp;5</span>' in html
    # Managers judge their campaigns by the dashboards, one link per campaign.
    assert reverse("admin:insights_campaign") in html


def test_staff_who_may_not_read_dashboards_get_no_link_that_would_be_refused(client):
    from django.contrib.auth.models import Permission

    campaign = CampaignFactory()
    clerk = User.objects.create_user("clerk", password="pw", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_campaign"))
    client.force_login(clerk)

    html = client.get(LIST).content.decode()

    assert campaign.title in html
    assert reverse("admin:insights_campaign") not in html


def test_staff_who_read_dashboards_get_a_link_to_each_campaigns(admin_client):
    campaign = CampaignFactory()

    html = admin_client.get(LIST).content.decode()

    assert f"{reverse('admin:insights_campaign')}?campaign={campaign.pk}" in html
    assert "Dashboard öffnen" in html


def test_the_list_reads_the_same_queries_for_two_campaigns_or_twenty(
    manager_client, django_assert_num_queries
):
    def fill(count: int) -> None:
        for _ in range(count):
            campaign = CampaignFactory()
            CampaignDayRollup.objects.create(day=date(2026, 5, 1), campaign=campaign, starts=9)

    fill(2)
    manager_client.get(LIST)
    with django_assert_num_queries(QUERIES) as two:
        manager_client.get(LIST)
    fill(18)
    with django_assert_num_queries(len(two.captured_queries)):
        response = manager_client.get(LIST)
    assert response.context["cl"].result_count == 20
