"""Campaigns, their questions and plays, by sub-domain; every model and helper is re-exported
here."""

from apps.campaigns.models.assessments import ScoreBand, ScoreTally
from apps.campaigns.models.campaign import (
    HEX_COLOUR,
    Campaign,
    CampaignQuerySet,
    CampaignViews,
    Outcome,
)
from apps.campaigns.models.plays import Answer, Participation
from apps.campaigns.models.questions import (
    MOOD_FACES,
    Option,
    OptionTally,
    Question,
    answer_is_correct,
    right_answer_ids,
)

__all__ = [
    "HEX_COLOUR",
    "MOOD_FACES",
    "Answer",
    "Campaign",
    "CampaignQuerySet",
    "CampaignViews",
    "Option",
    "OptionTally",
    "Outcome",
    "Participation",
    "Question",
    "ScoreBand",
    "ScoreTally",
    "answer_is_correct",
    "right_answer_ids",
]
