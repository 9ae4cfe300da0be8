"""Daily figures computed from the other apps' tables: the one place that says how each number
is counted. The rollup service stores what these return for past days; the dashboards ask
them again for today, so a stored day and a live day are counted the same way.

Every function runs a fixed number of set-based queries for any range of days and returns
plain rows (dicts named like the rollup columns).
"""

from apps.insights.figures.activity import earliest_activity, touched_campaign_days
from apps.insights.figures.campaigns import campaign_figures
from apps.insights.figures.consent import consent_figures
from apps.insights.figures.program import (
    DEPTH_BUCKETS,
    DEPTH_TOP,
    FLOW_COLUMNS,
    depth_bucket,
    program_flows,
    program_snapshot,
)

__all__ = [
    "DEPTH_BUCKETS",
    "DEPTH_TOP",
    "FLOW_COLUMNS",
    "campaign_figures",
    "consent_figures",
    "depth_bucket",
    "earliest_activity",
    "program_flows",
    "program_snapshot",
    "touched_campaign_days",
]
