from celery import shared_task
from django.conf import settings
from django.utils import timezone

from apps.loyalty.models import Account
from apps.loyalty.services import account_update_tier, ledger_expire


# Idempotent: an expiry already written for this instant is not written again.
@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def expire_points_task() -> int:
    """Expire due points for every account that has any, in batches of ids."""
    as_of = timezone.now()
    expired = 0
    last_id = 0
    while True:
        ids = list(
            Account.objects.filter(
                pk__gt=last_id, balance__gt=0, entries__amount__gt=0, entries__expires_at__lte=as_of
            )
            .distinct()
            .order_by("pk")
            .values_list("pk", flat=True)[: settings.LOYALTY_BATCH_SIZE]
        )
        if not ids:
            return expired
        for account_id in ids:
            expired += bool(ledger_expire(account_id=account_id, as_of=as_of))
        last_id = ids[-1]


@shared_task(ignore_result=True)
def recompute_tiers_task() -> None:
    """Tiers fall as the rolling window moves on, even without new credits."""
    for account in Account.objects.select_related("profile", "tier").iterator(chunk_size=500):
        account_update_tier(account=account)
