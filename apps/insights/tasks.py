from celery import shared_task
from django.core.cache import cache

from apps.insights.services import rollups_refresh

LOCK_KEY = "insights:refresh-rollups"
# A first (full) run over years of a large program takes far longer than the usual limit.
TIME_LIMIT = 60 * 60


# Safe to run twice: each day is replaced as a whole, and answers are tallied once per play.
@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    time_limit=TIME_LIMIT,
    soft_time_limit=TIME_LIMIT - 60,
)
def refresh_rollups_task(full: bool = False) -> int:
    # One run at a time: a long run must not be joined by the next scheduled one.
    if not cache.add(LOCK_KEY, 1, timeout=TIME_LIMIT):
        return 0
    try:
        return rollups_refresh(full=full).days
    finally:
        cache.delete(LOCK_KEY)
