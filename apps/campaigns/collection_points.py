"""Campaigns name their consent collection points ("campaign:<slug>") by their title."""

from apps.campaigns.models import Campaign

PREFIX = "campaign"


def labels(names: list[str]) -> dict[str, str]:
    """Each campaign's title in the active language, by slug: one query."""
    campaigns = Campaign.objects.filter(slug__in=names).only("slug", "title")
    return {campaign.slug: campaign.title for campaign in campaigns}
