import pytest
from django.core.cache import cache, caches
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from apps.campaigns.models import CampaignViews
from apps.campaigns.services import campaign_count_view, campaign_views_flush
from apps.core.models import OutboxEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _no_counts_left_over():
    cache.clear()


def test_views_are_counted_and_written_down_with_one_event_per_flush(snack_quiz):
    campaign, *_ = snack_quiz
    cache.add("campaign-views:flush-due", 1)  # a flush is not due: flush by hand below
    for _ in range(3):
        campaign_count_view(campaign=campaign)

    assert campaign_views_flush() == 3
    campaign_count_view(campaign=campaign)
    assert campaign_views_flush() == 1
    assert campaign_views_flush() == 0

    assert CampaignViews.objects.get(campaign=campaign).count == 4
    viewed = OutboxEvent.objects.filter(name="campaign.viewed").order_by("pk")
    assert [event.payload["views"] for event in viewed] == [3, 1]


def test_opening_a_campaign_counts_a_view(client, snack_quiz):
    campaign, *_ = snack_quiz

    response = client.get(reverse("campaigns:intro", args=[campaign.slug]))

    assert response.status_code == 200
    campaign_views_flush()
    assert CampaignViews.objects.get(campaign=campaign).count == 1


def test_the_page_opens_when_the_counter_is_unreachable(client, snack_quiz, monkeypatch):
    campaign, *_ = snack_quiz

    def unreachable(*args, **kwargs):
        raise RedisConnectionError("down")

    monkeypatch.setattr(caches["default"], "add", unreachable)

    response = client.get(reverse("campaigns:intro", args=[campaign.slug]))

    assert response.status_code == 200
