"""Loyalty's part of a data-subject export and erasure (see apps.privacy.registry)."""

from django.db import transaction

from apps.loyalty.models import Account, BadgeAward, LedgerEntry, Redemption
from apps.loyalty.reasons import LedgerReason, ledger_reasons_name
from apps.loyalty.services import account_lock, ledger_debit
from apps.profiles.models import Profile
from apps.profiles.selectors import profile_and_merged_ids


def export(profile: Profile) -> dict:
    ids = profile_and_merged_ids(profile=profile)
    account = Account.objects.select_related("tier").filter(profile=profile).first()
    # `reason` as stored, for machines; `reason_shown` as the wallet says it, in the export's
    # language, for the readable summary.
    entries = ledger_reasons_name(
        LedgerEntry.objects.filter(account__profile__in=ids).order_by("created_at", "pk")
    )
    redemptions = (
        Redemption.objects.filter(account__profile__in=ids)
        .select_related("reward", "debit")
        .order_by("created_at", "pk")
    )
    badges = BadgeAward.objects.filter(profile__in=ids).select_related("badge")
    return {
        "account": (
            {
                "balance": account.balance,
                "earned_in_total": account.lifetime_earned,
                "tier": account.tier.name if account.tier else None,
                "opened_at": account.created_at,
            }
            if account
            else None
        ),
        "ledger": [
            {
                "points": entry.amount,
                "kind": entry.kind,
                "reason": entry.reason,
                "reason_shown": entry.reason_shown,
                "source": entry.source_ref,
                "at": entry.created_at,
                "expires_at": entry.expires_at,
            }
            for entry in entries
        ],
        "redemptions": [
            {
                "reward": redemption.reward.title,
                "points": -redemption.debit.amount,
                "status": redemption.status,
                "code": redemption.code,
                "at": redemption.created_at,
            }
            for redemption in redemptions
        ],
        "badges": [
            {"badge": award.badge.name, "reason": award.reason, "awarded_at": award.awarded_at}
            for award in badges.order_by("awarded_at", "pk")
        ],
    }


@transaction.atomic
def erase(profile: Profile) -> dict[str, int]:
    """Badges go. Accounts, ledger entries and redemptions stay for accounting, pointing at
    the tombstone; what is left on an account is forfeited like expired points, so the
    balance still equals the sum of its entries and nobody is owed points any more."""
    ids = profile_and_merged_ids(profile=profile)
    badges, _kinds = BadgeAward.objects.filter(profile__in=ids).delete()
    forfeited = 0
    for account in Account.objects.filter(profile__in=ids, balance__gt=0).select_related("profile"):
        locked = account_lock(profile=account.profile)
        if locked.balance <= 0:
            continue
        # Keyed by the account's last entry: a retried erasure finds its own forfeit, and
        # points that arrived in between are forfeited by an entry of their own.
        last_entry = locked.entries.order_by("-pk").values_list("pk", flat=True).first()
        entry = ledger_debit(
            profile=account.profile,
            points=locked.balance,
            idempotency_key=f"erasure:forfeit:{last_entry}",
            reason=LedgerReason.FORFEITED_ON_ERASURE,
            kind=LedgerEntry.Kind.EXPIRE,
        )
        forfeited -= entry.amount
    return {
        "badge_awards": badges,
        "points_forfeited": forfeited,
        "ledger_entries_kept": LedgerEntry.objects.filter(account__profile__in=ids).count(),
    }
