"""The dashboards, read from the rollups (days before today) plus today's figures counted
live, in a fixed number of queries however many days, campaigns or questions there are.
Every figure leaves here as a `Cell`, through `apps.insights.suppression`."""

from apps.insights.selectors.campaign import (
    CampaignDashboard,
    QuestionInsight,
    campaign_collection_point,
    campaign_dashboard,
)
from apps.insights.selectors.common import Dashboard, nps_score
from apps.insights.selectors.overview import (
    CampaignListFigures,
    Headline,
    HeadlineFigure,
    campaign_list_figures,
    program_headline,
)
from apps.insights.selectors.program import ProgramDashboard, program_dashboard

__all__ = [
    "CampaignDashboard",
    "CampaignListFigures",
    "Dashboard",
    "Headline",
    "HeadlineFigure",
    "ProgramDashboard",
    "QuestionInsight",
    "campaign_collection_point",
    "campaign_dashboard",
    "campaign_list_figures",
    "nps_score",
    "program_dashboard",
    "program_headline",
]
