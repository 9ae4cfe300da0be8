"""Tiers: thresholds every credit checks, and the tier an account has reached."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from apps.core.events import publish
from apps.core.process_cache import ProcessCache
from apps.loyalty.events import TierChanged
from apps.loyalty.models import Account, LedgerEntry, Tier
from apps.profiles.selectors import profile_and_merged_ids

# Every credit asks.
TIER_THRESHOLDS = ProcessCache("loyalty.tier-thresholds", check_every=1)


def tier_thresholds() -> dict[int, int]:
    """Threshold per tier id, kept by each process (`TIER_THRESHOLDS`)."""
    return TIER_THRESHOLDS.get(lambda: dict(Tier.objects.values_list("pk", "threshold")))


def tier_upgrade_reached(tier_id: int | None, lifetime_earned: int) -> bool:
    """Whether a credit may have lifted the account a tier: only if the points ever earned
    reach the next threshold, so the common case costs no query. The nightly run handles
    downgrades."""
    thresholds = tier_thresholds()
    current = thresholds.get(tier_id, -1)
    upgrade = min((t for t in thresholds.values() if t > current), default=None)
    return upgrade is not None and lifetime_earned >= upgrade


def account_update_tier(*, account: Account) -> Tier | None:
    """Set the tier from points earned in the rolling window, also before signing in on
    devices whose profiles merged into this one; publish when it changes."""
    since = timezone.now() - timedelta(days=settings.LOYALTY_TIER_WINDOW_DAYS)
    earned = (
        LedgerEntry.objects.filter(
            account__profile__in=profile_and_merged_ids(profile=account.profile),
            kind=LedgerEntry.Kind.EARN,
            created_at__gte=since,
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )
    tier = Tier.objects.filter(threshold__lte=earned).order_by("-threshold").first()
    if (tier.pk if tier else None) != account.tier_id:
        previous = account.tier.key if account.tier_id else None
        account.tier = tier
        Account.objects.filter(pk=account.pk).update(tier=tier)
        publish(
            TierChanged(
                profile=str(account.profile.public_id),
                tier=tier.key if tier else None,
                previous=previous,
            )
        )
    return tier


@transaction.atomic
def tier_save(*, tier: Tier) -> Tier:
    tier.full_clean()
    tier.save()
    TIER_THRESHOLDS.forget()
    return tier
