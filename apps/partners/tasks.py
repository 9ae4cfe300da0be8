from celery import shared_task

from apps.partners.services import embed_token_uses_forget_expired, idempotency_records_forget_old
from apps.partners.services.webhook_delivery import (
    webhook_deliveries_send_due,
    webhook_delivery_attempt,
)


@shared_task(ignore_result=True)
def forget_used_embed_tokens_task() -> int:
    return embed_token_uses_forget_expired()


@shared_task(ignore_result=True)
def forget_idempotency_records_task() -> int:
    return idempotency_records_forget_old()


# No Celery autoretry: the retry schedule (up to 10 h apart) lives in the delivery row, where a
# worker restart or a Redis flush cannot lose it, and the sweep below picks up what is due.
# Running twice is harmless: the attempt number is claimed under a row lock first.
@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_webhook_task(delivery_id: int, attempts: int) -> None:
    webhook_delivery_attempt(delivery_id=delivery_id, expected_attempts=attempts)


@shared_task(ignore_result=True)
def deliver_due_webhooks_task() -> int:
    return webhook_deliveries_send_due()
