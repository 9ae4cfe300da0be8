"""Everything that changes campaigns and plays, by job; the public names are re-exported here."""

from apps.campaigns.services.assessments import (
    score_band_delete,
    score_band_save,
    score_tallies_add,
)
from apps.campaigns.services.authoring import (
    campaign_duplicate,
    campaign_end,
    campaign_publish,
    campaigns_follow_schedule,
)
from apps.campaigns.services.building import (
    campaign_delete,
    campaign_save,
    option_delete,
    option_save,
    outcome_delete,
    outcome_save,
    question_delete,
    question_positions_release,
    question_save,
)
from apps.campaigns.services.counters import (
    VIEW_COUNTER_KEY,
    VIEW_FLUSH_KEY,
    campaign_count_view,
    campaign_views_flush,
    option_tallies_add,
)
from apps.campaigns.services.media import (
    campaign_set_hero_image,
    option_set_image,
    outcome_set_image,
)
from apps.campaigns.services.merge import (
    participations_merge_profiles,
    participations_points_release,
)
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
from apps.campaigns.services.publish_checks import campaign_publish_problems
from apps.campaigns.services.touch import campaign_touch, campaigns_changed

__all__ = [
    "COUNTDOWN_GRACE_SECONDS",
    "VIEW_COUNTER_KEY",
    "VIEW_FLUSH_KEY",
    "answer_submit",
    "campaign_count_view",
    "campaign_delete",
    "campaign_duplicate",
    "campaign_end",
    "campaign_publish",
    "campaign_publish_problems",
    "campaign_save",
    "campaign_set_hero_image",
    "campaign_touch",
    "campaign_views_flush",
    "campaigns_changed",
    "campaigns_follow_schedule",
    "option_delete",
    "option_save",
    "option_set_image",
    "option_tallies_add",
    "outcome_delete",
    "outcome_save",
    "outcome_set_image",
    "participation_answer",
    "participation_complete",
    "participation_keep_answers",
    "participation_show_question",
    "participation_start",
    "participation_withhold",
    "participations_forget_unkept_answers",
    "participations_merge_profiles",
    "participations_points_release",
    "question_delete",
    "question_positions_release",
    "question_save",
    "score_band_delete",
    "score_band_save",
    "score_tallies_add",
]
