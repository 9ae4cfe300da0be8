"""Points of a profile that signed in moving to the member, lot by lot."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.loyalty.models import Account, LedgerEntry, Redemption
from apps.loyalty.reasons import LedgerReason
from apps.loyalty.selectors import lots_remaining, points_spent
from apps.loyalty.services.ledger import Kind, _reversal, _write, account_lock
from apps.loyalty.services.tiers import account_update_tier
from apps.profiles.models import Profile


@transaction.atomic
def ledger_merge(*, source: Profile, target: Profile) -> list[LedgerEntry]:
    """Move a merged profile's points to the member, lot by lot with their expiry dates, so no
    point is created or lost and none lives longer than it would have. Redemptions follow."""
    if not Account.objects.filter(profile=source).exists():
        return []
    # Merges lock the member first; a credit locks only one account, so no cycle can form.
    target_account = account_lock(profile=target)
    source_account = account_lock(profile=source)
    Redemption.objects.filter(account=source_account).update(account=target_account)
    Account.objects.filter(pk=target_account.pk).update(
        lifetime_earned=F("lifetime_earned") + source_account.lifetime_earned
    )
    if source_account.balance == 0:
        return []
    lots = lots_remaining(source_account)
    moved = [
        _write(
            source_account,
            amount=-source_account.balance,
            kind=Kind.MERGE,
            idempotency_key=f"merge:{target.public_id}",
            reason=LedgerReason.MOVED_TO_MEMBER,
            source_ref=f"profile:{target.public_id}",
        )[0]
    ]
    rebased = _lots_rebase(target_account, key=f"merge-rebase:{source.public_id}")
    for number, (expires_at, points) in enumerate(lots):
        moved.append(
            _write(
                target_account,
                amount=points,
                kind=Kind.MERGE,
                idempotency_key=f"merge:{source.public_id}:{number}",
                reason=LedgerReason.MOVED_FROM_PROFILE,
                source_ref=f"profile:{source.public_id}",
                expires_at=expires_at,
            )[0]
        )
    account_update_tier(account=target_account)
    return moved + rebased


def _lots_rebase(account: Account, *, key: str) -> list[LedgerEntry]:
    """Close the account's past before lots that may expire earlier than its own arrive.

    Debits use the earliest-expiring lots, whenever those arrived; a merged lot due sooner
    than the member's own would be used up by the member's old debits, and the member's own
    points would outlive their date. So the points already spent become one settled lot due
    now, the unspent rest is re-issued with its dates, and the old lots are reversed: the
    balance does not change, and old debits can only use up the settled lot.
    """
    spent = points_spent(account)
    old_lots = list(
        account.entries.filter(amount__gt=0, expires_at__isnull=False, reversed_by__isnull=True)
    )
    if spent == 0 or not old_lots:
        return []
    unspent = [(expires, points) for expires, points in lots_remaining(account) if expires]
    settled = min(spent, sum(lot.amount for lot in old_lots))
    written = [
        _write(
            account,
            amount=settled,
            kind=Kind.MERGE,
            idempotency_key=f"{key}:settled",
            reason=LedgerReason.SETTLED_BEFORE_MERGE,
            expires_at=timezone.now(),
        )[0]
    ]
    for number, (expires_at, points) in enumerate(unspent):
        written.append(
            _write(
                account,
                amount=points,
                kind=Kind.MERGE,
                idempotency_key=f"{key}:{number}",
                reason=LedgerReason.REISSUED_BEFORE_MERGE,
                expires_at=expires_at,
            )[0]
        )
    written += [
        _reversal(account, lot, reason=LedgerReason.REPLACED_BEFORE_MERGE) for lot in old_lots
    ]
    return written
