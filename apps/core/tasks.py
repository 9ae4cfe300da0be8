from celery import shared_task
from django.conf import settings

from apps.core.services import outbox_prune, outbox_relay_pending, outbox_sweep


# Relaying is idempotent (claim + published_at), so a redelivered task is harmless.
@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def relay_outbox_task() -> int:
    return outbox_relay_pending(batch_size=settings.OUTBOX_SWEEP_BATCH_SIZE)


@shared_task(ignore_result=True)
def sweep_outbox_task(grace_seconds: int | None = None) -> int:
    return outbox_sweep(
        grace_seconds=settings.OUTBOX_SWEEP_GRACE_SECONDS
        if grace_seconds is None
        else grace_seconds,
        batch_size=settings.OUTBOX_SWEEP_BATCH_SIZE,
    )


@shared_task(ignore_result=True)
def prune_outbox_task() -> int:
    return outbox_prune(retention_days=settings.OUTBOX_RETENTION_DAYS)
