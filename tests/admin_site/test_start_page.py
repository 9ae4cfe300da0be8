from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.campaigns.models import Campaign
from apps.insights.models import CampaignDayRollup, ProgramDayRollup, RollupRun
from apps.insights.periods import site_today
from apps.privacy.models import DataRequest
from apps.privacy.roles import ANALYST, CAMPAIGN_MANAGER, PRIVACY_OFFICER, SUPPORT
from tests.campaigns.factories import CampaignFactory
from tests.challenges.factories import ChallengeFactory
from tests.partners.factories import WebhookEndpointFactory
from tests.privacy.factories import DataRequestFactory

pytestmark = pytest.mark.django_db

# Session, user and the second factor's device, five for the key figures, two each for live
# and ending, one each for data requests and failing endpoints, the dead letters (superusers),
# and the recent actions.
QUERIES = 16

BLOCKS = {
    "figures": "start-figures-title",
    "live": "start-live-title",
    "requests": "start-requests-title",
    "webhooks": "start-webhooks-title",
}


def _blocks(html: str) -> set[str]:
    return {block for block, anchor in BLOCKS.items() if f'id="{anchor}"' in html}


@pytest.mark.parametrize(
    ("role", "blocks"),
    [
        (CAMPAIGN_MANAGER, {"live", "figures"}),
        (ANALYST, {"figures"}),
        (PRIVACY_OFFICER, {"requests", "webhooks"}),
        (SUPPORT, {"requests"}),
    ],
)
def test_each_role_sees_the_start_blocks_it_may_see(client, staff_login, role, blocks):
    staff_login(role)

    html = client.get(reverse("admin:index")).content.decode()

    assert _blocks(html) == blocks


def test_the_superuser_sees_every_block(admin_client):
    assert _blocks(admin_client.get(reverse("admin:index")).content.decode()) == set(BLOCKS)


def test_live_and_ending_soon_name_campaigns_and_challenges_by_title(client, staff_login):
    now = timezone.now()
    CampaignFactory(title_de="Frühstückstyp", ends_at=now + timedelta(days=3))
    CampaignFactory(title_de="Dauerbrenner")
    CampaignFactory(title_de="Noch ein Entwurf", status=Campaign.Status.DRAFT)
    CampaignFactory(title_de="Vorbei", ends_at=now - timedelta(days=1))
    CampaignFactory(title_de="Im Sommer", ends_at=now + timedelta(days=60))
    ChallengeFactory(title_de="Sieben Tage Snack", ends_at=now + timedelta(days=10))
    staff_login(CAMPAIGN_MANAGER)

    response = client.get(reverse("admin:index"))

    start = response.context["start"]
    assert [entry.item.title for entry in start.live] == [
        "Frühstückstyp",
        "Sieben Tage Snack",
        "Im Sommer",
        "Dauerbrenner",
    ]
    assert [entry.item.title for entry in start.ending] == ["Frühstückstyp", "Sieben Tage Snack"]
    html = response.content.decode()
    assert "Endet in den nächsten 14 Tagen" in html
    assert "Vorbei" not in html
    assert "Noch ein Entwurf" not in html


def test_the_blocks_say_when_there_is_nothing(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()

    assert "Gerade läuft nichts." in html
    assert "In den nächsten 14 Tagen endet nichts." in html
    assert "Keine offenen Anfragen." in html
    assert "Alle Endpunkte nehmen unsere Ereignisse an." in html
    assert "nach der ersten nächtlichen Aktualisierung" in html


def test_open_data_requests_show_their_deadline_the_overdue_marked(client, staff_login):
    now = timezone.now()
    DataRequestFactory(due_at=now + timedelta(days=20))
    late = DataRequestFactory(kind=DataRequest.Kind.ERASURE, due_at=now - timedelta(days=2))
    DataRequestFactory(status=DataRequest.Status.DONE, due_at=now - timedelta(days=40))
    staff_login(PRIVACY_OFFICER)

    response = client.get(reverse("admin:index"))

    listed = response.context["start"].data_requests
    assert len(listed) == 2
    assert listed[0].pk == late.pk
    html = response.content.decode()
    assert "überfällig seit" in html
    assert "fällig am" in html
    assert "Löschung aller Daten" in html


def test_failing_endpoints_are_listed_for_the_privacy_officer(client, staff_login):
    WebhookEndpointFactory(url="https://shop.example.com/ok")
    WebhookEndpointFactory(
        url="https://shop.example.com/broken", failing_since=timezone.now() - timedelta(hours=5)
    )
    WebhookEndpointFactory(
        url="https://crm.example.com/off", is_active=False, disabled_reason="Failing for 3 days"
    )
    staff_login(PRIVACY_OFFICER)

    html = client.get(reverse("admin:index")).content.decode()

    assert "https://shop.example.com/broken" in html
    assert "schlägt seit 5" in html
    assert "abgeschaltet: Failing for 3 days" in html
    assert "https://shop.example.com/ok" not in html
    # The officer may read deliveries, not change endpoints: the link leads to those.
    assert reverse("admin:partners_webhookdelivery_changelist") in html


def test_key_figures_come_from_the_rollups_each_with_an_explanation(client, staff_login):
    yesterday = site_today() - timedelta(days=1)
    ProgramDayRollup.objects.create(
        day=yesterday,
        profiles=120,
        profiles_declaring=80,
        accounts=60,
        liability=4500,
        points_earned=900,
        earners=40,
    )
    campaign = CampaignFactory()
    CampaignDayRollup.objects.create(day=yesterday, campaign=campaign, starts=50, completions=40)
    RollupRun.objects.create(started_at=timezone.now(), finished_at=timezone.now())
    staff_login(ANALYST)

    response = client.get(reverse("admin:index"))

    figures = {f.key: f for f in response.context["start"].headline.figures}
    assert str(figures["profiles"].value) == "120"
    assert str(figures["plays"].value) == "50"
    assert str(figures["completion"].value) == "80 %"
    assert str(figures["liability"].value) == "4.500"
    assert figures["consent"].value.hidden
    html = response.content.decode()
    assert "Anteil dieser Teilnahmen, die bis zum Ergebnis kamen." in html
    assert "weniger als 5" in html
    assert all(figure.explanation for figure in figures.values())


def test_the_start_page_reads_a_fixed_number_of_queries(admin_client, django_assert_num_queries):
    def fill(count: int) -> None:
        now = timezone.now()
        for _ in range(count):
            CampaignFactory(ends_at=now + timedelta(days=5))
            ChallengeFactory(ends_at=now + timedelta(days=5))
            DataRequestFactory()
            WebhookEndpointFactory(failing_since=now)

    fill(1)
    admin_client.get(reverse("admin:index"))  # the session and content types, once
    with django_assert_num_queries(QUERIES) as few:
        admin_client.get(reverse("admin:index"))
    fill(4)
    with django_assert_num_queries(len(few.captured_queries)):
        response = admin_client.get(reverse("admin:index"))
    assert len(response.context["start"].live) == 10


def test_the_start_page_reads_in_english_for_staff_who_chose_it(client, staff_login):
    staff_login(PRIVACY_OFFICER, language="en")

    html = client.get(reverse("admin:index")).content.decode()

    assert "Open data requests" in html
    assert "Every endpoint accepts our events." in html
    assert "Offene Datenanfragen" not in html
