"""What every write to a campaign or its parts does last: processes keeping campaigns (the
player's questions, caches of other apps following `CAMPAIGNS_VERSION`) read them again."""

from django.utils import timezone

from apps.campaigns.models import Campaign
from apps.campaigns.selectors import CAMPAIGNS_VERSION
from apps.core.process_cache import versions_renew


def campaigns_changed() -> None:
    """A campaign changed: every process reads campaigns again."""
    versions_renew(CAMPAIGNS_VERSION)


def campaign_touch(*, campaign_id: int) -> None:
    """A question, answer or outcome of this campaign changed."""
    Campaign.objects.filter(pk=campaign_id).update(updated_at=timezone.now())
    campaigns_changed()
