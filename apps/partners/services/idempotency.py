"""Idempotency keys of partner writes: claimed, answered, released, forgotten."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.partners.models import IdempotencyRecord, PartnerClient

# An answer that never came (the process died mid-request) is given up after this long, so a
# retry may run; the ledger's own keys still stop it from crediting twice.
IDEMPOTENCY_IN_PROGRESS_TIMEOUT = timedelta(minutes=5)
# Partners are promised 24 hours; twice that covers retries across a day boundary.
IDEMPOTENCY_RETENTION = timedelta(hours=48)
IDEMPOTENCY_DELETE_BATCH_SIZE = 1000


def idempotency_record_claim(
    *, partner: PartnerClient, key: str, request_hash: str
) -> tuple[IdempotencyRecord, bool]:
    """The partner's record for this key, and whether this request may run under it: a new
    key is inserted and committed at once, so a parallel duplicate finds it in progress."""
    try:
        with transaction.atomic(durable=True):
            record = IdempotencyRecord.objects.create(
                partner=partner, key=key, request_hash=request_hash
            )
        return record, True
    except IntegrityError:
        pass
    record = IdempotencyRecord.objects.filter(partner=partner, key=key).first()
    if record is None:
        # The first request failed and let go of the key between our insert and this read.
        return IdempotencyRecord(partner=partner, key=key, request_hash=request_hash), False
    abandoned = (
        record.response_status is None
        and record.request_hash == request_hash
        and record.created_at < timezone.now() - IDEMPOTENCY_IN_PROGRESS_TIMEOUT
    )
    if abandoned:
        # Conditional on the old time, so of several retries only one takes the key over.
        taken = IdempotencyRecord.objects.filter(
            pk=record.pk, response_status__isnull=True, created_at=record.created_at
        ).update(created_at=timezone.now())
        return record, taken == 1
    return record, False


def idempotency_record_finish(*, record: IdempotencyRecord, status: int, body) -> None:
    """Keep the answer to replay. Called inside the write's own transaction for successes,
    so the answer and what it reports commit together."""
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        response_status=status, response_body=body
    )


def idempotency_record_release(*, record: IdempotencyRecord) -> None:
    """Let go of a key whose request failed on our side, so the partner's retry can run."""
    IdempotencyRecord.objects.filter(pk=record.pk, response_status__isnull=True).delete()


def idempotency_records_forget_old() -> int:
    """Delete records past their retention, in batches so no long lock is held."""
    cutoff = timezone.now() - IDEMPOTENCY_RETENTION
    deleted = 0
    while True:
        batch = list(
            IdempotencyRecord.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[
                :IDEMPOTENCY_DELETE_BATCH_SIZE
            ]
        )
        if not batch:
            return deleted
        deleted += IdempotencyRecord.objects.filter(pk__in=batch).delete()[0]
