from celery import shared_task

from apps.campaigns.services import (
    campaign_views_flush,
    campaigns_follow_schedule,
    participations_forget_unkept_answers,
)


@shared_task(ignore_result=True)
def follow_campaign_schedules_task() -> int:
    return campaigns_follow_schedule()


@shared_task(ignore_result=True)
def forget_unkept_answers_task() -> int:
    return participations_forget_unkept_answers()


@shared_task(ignore_result=True)
def flush_campaign_views_task() -> int:
    return campaign_views_flush()
