"""Everything that changes campaigns and plays, by job; the public names are re-exported here."""

from apps.campaigns.services.authoring import (
    campaign_duplicate,
    campaign_end,
    campaign_publish,
    campaign_publish_problems,
    campaigns_follow_schedule,
)
from apps.campaigns.services.counters import (
    VIEW_COUNTER_KEY,
    VIEW_FLUSH_KEY,
    campaign_count_view,
    campaign_views_flush,
)
from apps.campaigns.services.media import (
    campaign_set_hero_image,
    option_set_image,
    outcome_set_image,
)
from apps.campaigns.services.merge import participations_merge_profiles
from apps.campaigns.services.player import (
    COUNTDOWN_GRACE_SECONDS,
    answer_submit,
    participation_answer,
    participation_complete,
    participation_keep_answers,
    participation_show_question,
    participation_start,
    participation_withhold,
    participations_forget_unkept_answers,
)

__all__ = [
    "COUNTDOWN_GRACE_SECONDS",
    "VIEW_COUNTER_KEY",
    "VIEW_FLUSH_KEY",
    "answer_submit",
    "campaign_count_view",
    "campaign_duplicate",
    "campaign_end",
    "campaign_publish",
    "campaign_publish_problems",
    "campaign_set_hero_image",
    "campaign_views_flush",
    "campaigns_follow_schedule",
    "option_set_image",
    "outcome_set_image",
    "participation_answer",
    "participation_complete",
    "participation_keep_answers",
    "participation_show_question",
    "participation_start",
    "participation_withhold",
    "participations_forget_unkept_answers",
    "participations_merge_profiles",
]
