import logging
import time

from celery import shared_task

from apps.personalization.churn import churn_scores_compute

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def compute_churn_scores_task() -> int:
    started = time.monotonic()
    count = churn_scores_compute()
    logger.info("Churn risk scored for %s customers in %.1f s", count, time.monotonic() - started)
    return count


@shared_task(ignore_result=True)
def materialize_segments_task(full: bool = False) -> int:
    from apps.personalization.materialize import segments_materialize

    return len(segments_materialize(full=full))
