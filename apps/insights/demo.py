"""The demo's dashboards: the rollups brought up to date once the demo data is there."""

from apps.insights.services import rollups_refresh


def demo_rollups_refresh() -> int:
    """Recompute the days touched since the last run (all days on the first); running it
    again writes the same rows. Returns how many days were recomputed."""
    return rollups_refresh().days
