"""The demo's dashboards: the rollups brought up to date once the demo data is there."""

from apps.insights.services import rollups_refresh


def demo_rollups_refresh(*, full: bool = False) -> int:
    """Recompute the days touched since the last run (all days on the first, or when `full`,
    e.g. after a population with past dates was written); running it again writes the same
    rows. Returns how many days were recomputed."""
    return rollups_refresh(full=full).days
