"""Anonymous counts: page views counted in the shared cache and written down about once a
minute, and how often each answer was chosen."""

import logging
from collections import defaultdict

from django.core.cache import cache
from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

from apps.campaigns.events import CampaignViewed
from apps.campaigns.models import (
    Campaign,
    CampaignViews,
    OptionTally,
)
from apps.core.events import publish

logger = logging.getLogger(__name__)


VIEW_COUNTER_KEY = "campaign-views:{pk}"
VIEW_FLUSH_KEY = "campaign-views:flush-due"


def campaign_count_view(*, campaign: Campaign) -> None:
    """Count an opened campaign page in the shared cache; a lost count is no customer's data,
    so an unreachable cache is ignored. About once a minute the counts are written down."""
    from apps.campaigns.tasks import flush_campaign_views_task

    key = VIEW_COUNTER_KEY.format(pk=campaign.pk)
    try:
        if not cache.add(key, 1, timeout=None):
            cache.incr(key)
        if cache.add(VIEW_FLUSH_KEY, 1, timeout=60):
            flush_campaign_views_task.delay()
    except (RedisError, BrokerError, OSError, ValueError):
        logger.warning("Campaign view of %s not counted.", campaign.pk)


def campaign_views_flush() -> int:
    """Move the counted views into today's rows and publish one CampaignViewed per campaign.

    Each count is taken off the counter by the amount written, so views counted meanwhile
    wait for the next flush instead of being lost."""
    campaigns = {
        VIEW_COUNTER_KEY.format(pk=pk): (pk, slug)
        for pk, slug in Campaign.objects.values_list("pk", "slug")
    }
    counted = {key: n for key, n in cache.get_many(list(campaigns)).items() if n}
    today = timezone.localdate()
    for key, views in counted.items():
        campaign_id, slug = campaigns[key]
        with transaction.atomic():
            row, _created = CampaignViews.objects.get_or_create(campaign_id=campaign_id, day=today)
            CampaignViews.objects.filter(pk=row.pk).update(count=F("count") + views)
            publish(CampaignViewed(campaign=slug, day=today, views=views))
        cache.decr(key, views)
    return sum(counted.values())


# Nothing here is caught and retried, so a savepoint would guard nothing.
@transaction.atomic(savepoint=False)
def option_tallies_add(*, counts: dict[int, int]) -> None:
    """Add to how often each option was chosen, creating the rows that are missing. One
    statement locks every row once, in one order: writers adding different amounts to the
    same options at once wait for each other instead of deadlocking."""
    counts = {option_id: n for option_id, n in counts.items() if n > 0}
    if not counts:
        return
    OptionTally.objects.bulk_create(
        [OptionTally(option_id=option_id) for option_id in counts], ignore_conflicts=True
    )
    amounts = defaultdict(list)
    for option_id, n in counts.items():
        amounts[n].append(option_id)
    if len(amounts) == 1:
        ((n, _ids),) = amounts.items()
        increment = Value(n)
    else:
        increment = Case(
            *[When(option_id__in=ids, then=Value(n)) for n, ids in sorted(amounts.items())],
            output_field=IntegerField(),
        )
    OptionTally.objects.filter(option_id__in=counts).update(count=F("count") + increment)
