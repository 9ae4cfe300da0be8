from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from apps.loyalty.models import (
    Account,
    EarningRule,
    LedgerEntry,
    Redemption,
    Reward,
    Tier,
    rule_credit_key,
)
from apps.loyalty.reasons import ledger_reasons_name
from apps.profiles.models import Profile, counted_profiles


def account_for_profile(*, profile: Profile | None) -> Account | None:
    if not profile:
        return None
    return Account.objects.select_related("tier").filter(profile=profile).first()


def ledger_entries_for(*, account: Account | None, limit: int = 50) -> list[LedgerEntry]:
    """The latest entries, each with `reason_shown`: why the points moved, in the reader's
    language (see `reasons`). Three queries at most however many entries."""
    if account is None:
        return []
    return ledger_reasons_name(account.entries.order_by("-id")[:limit])


def lots_expiring(account: Account, *, by: datetime) -> int:
    """Points earned in lots expiring by `by`; a reversed lot never existed."""
    lots = account.entries.filter(amount__gt=0, expires_at__lte=by, reversed_by__isnull=True)
    return lots.aggregate(total=Sum("amount"))["total"] or 0


def points_spent(account: Account) -> int:
    """Points that left the account, except reversals of lots (they cancel their lot)."""
    debits = account.entries.filter(amount__lt=0).exclude(
        kind=LedgerEntry.Kind.REVERSE, reverses__amount__gt=0
    )
    return -(debits.aggregate(total=Sum("amount"))["total"] or 0)


def lots_remaining(account: Account) -> list[tuple[datetime | None, int]]:
    """What the balance is made of: (expires, points) per expiry date, oldest first, after
    debits used up the oldest lots. Points of no lot (there should be none) never expire."""
    spent = points_spent(account)
    lots = (
        account.entries.filter(amount__gt=0, expires_at__isnull=False, reversed_by__isnull=True)
        .values("expires_at")
        .annotate(points=Sum("amount"))
        .order_by("expires_at")
    )
    remaining: list[tuple[datetime | None, int]] = []
    for lot in lots:
        used = min(spent, lot["points"])
        spent -= used
        if lot["points"] > used:
            remaining.append((lot["expires_at"], lot["points"] - used))
    surplus = sum(points for _expires, points in remaining) - account.balance
    while surplus > 0 and remaining:
        expires, points = remaining.pop(0)
        if points > surplus:
            remaining.insert(0, (expires, points - surplus))
        surplus -= points
    if surplus < 0:
        remaining.append((None, -surplus))
    return remaining


@dataclass(frozen=True)
class UpcomingExpiry:
    points: int
    on: date


def upcoming_expiry(*, account: Account | None) -> UpcomingExpiry | None:
    """The next date on which points expire, and how many (debits use the oldest lots first)."""
    if account is None or account.balance <= 0:
        return None
    now = timezone.now()
    spent = points_spent(account)
    running = lots_expiring(account, by=now)
    lots = (
        account.entries.filter(amount__gt=0, expires_at__gt=now, reversed_by__isnull=True)
        .values("expires_at__date")
        .annotate(points=Sum("amount"))
        .order_by("expires_at__date")
    )
    for lot in lots:
        running += lot["points"]
        left = running - spent
        if left > 0:
            return UpcomingExpiry(points=min(left, lot["points"]), on=lot["expires_at__date"])
    return None


@dataclass(frozen=True)
class TierProgress:
    current: Tier | None
    next: Tier | None
    points_to_next: int
    percent: int


def tier_progress(*, account: Account | None, earned_in_window: int) -> TierProgress:
    tiers = list(Tier.objects.order_by("threshold"))
    current = account.tier if account else None
    upcoming = next((t for t in tiers if t.threshold > earned_in_window), None)
    if upcoming is None:
        return TierProgress(current, None, 0, 100)
    floor = current.threshold if current else 0
    span = max(upcoming.threshold - floor, 1)
    percent = max(0, min(100, (earned_in_window - floor) * 100 // span))
    return TierProgress(current, upcoming, upcoming.threshold - earned_in_window, percent)


def earned_in_window(*, account: Account | None, since) -> int:
    if account is None:
        return 0
    return (
        account.entries.filter(kind=LedgerEntry.Kind.EARN, created_at__gte=since).aggregate(
            total=Sum("amount")
        )["total"]
        or 0
    )


def reward_catalogue() -> QuerySet[Reward]:
    now = timezone.now()
    return (
        Reward.objects.filter(is_active=True)
        .exclude(valid_until__lt=now)
        .exclude(valid_from__gt=now)
        .select_related("minimum_tier")
    )


def redemptions_for(*, account: Account | None) -> QuerySet[Redemption]:
    if account is None:
        return Redemption.objects.none()
    return account.redemptions.select_related("reward")


def ledger_mismatches() -> QuerySet[Account]:
    """Accounts whose balance is not the sum of their entries (there must never be any)."""
    return (
        Account.objects.annotate(entries_total=Sum("entries__amount"))
        .exclude(balance=0, entries_total__isnull=True)
        .exclude(balance=F("entries_total"))
    )


def ledger_size() -> tuple[int, int]:
    """How many accounts and ledger entries there are, so a check can say what it covered."""
    return Account.objects.count(), LedgerEntry.objects.count()


def points_liability() -> int:
    """Outstanding points over all accounts: what the brand still owes its customers (staff's
    test customers are owed nothing)."""
    accounts = Account.objects.filter(counted_profiles())
    return accounts.aggregate(total=Sum("balance"))["total"] or 0


@dataclass(frozen=True)
class RulePreview:
    events: int
    customers: int
    points: int


def earning_rule_preview(*, rule, days: int = 30) -> RulePreview:
    """What the rule would have paid over the last `days` days of recorded events (before caps
    and tier multipliers), from the outbox rows those events left."""
    from apps.core.models import OutboxEvent

    matching = OutboxEvent.objects.filter(
        name=rule.event_name,
        created_at__gte=timezone.now() - timedelta(days=days),
        **{f"payload__{key}": value for key, value in (rule.conditions or {}).items()},
    ).exclude(
        # Staff's test customers are nobody (`Profile.objects.counted`); they are few.
        payload__profile__in=[
            str(pk)
            for pk in Profile.objects.filter(is_test=True).values_list("public_id", flat=True)
        ]
    )
    events = matching.count()
    customers = matching.values("payload__profile").distinct().count()
    return RulePreview(events=events, customers=customers, points=events * rule.points)


def points_earned_for(*, profile: Profile | None, occurrence: str) -> int:
    """Points the earning rules credited for one occurrence, e.g. "participation:42", right
    after it happened. Asked by the exact key each existing rule credits under, so the
    (account, key) index answers it however long the customer's ledger is."""
    if not profile:
        return 0
    rule_keys = [
        rule_credit_key(rule_id, occurrence)
        for rule_id in EarningRule.objects.values_list("pk", flat=True)
    ]
    entries = LedgerEntry.objects.filter(
        account__profile=profile, kind=LedgerEntry.Kind.EARN, idempotency_key__in=rule_keys
    )
    return entries.aggregate(total=Sum("amount"))["total"] or 0


def points_offered_for(*, event_name: str, payloads: dict[Hashable, dict]) -> dict[Hashable, int]:
    """The points everyone would earn for each of these events, e.g. finishing each campaign
    on the home page: one query for all of them. Counted are the active rules whose conditions
    the payload fulfils; bonuses for a segment, tier multipliers and caps vary per customer
    and are left out."""
    now = timezone.now()
    rules = list(
        EarningRule.objects.filter(event_name=event_name, is_active=True, segment_key="")
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=now))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=now))
        .only("points", "conditions")
    )
    return {
        key: sum(rule.points for rule in rules if rule.matches(payload))
        for key, payload in payloads.items()
    }


def reward_list_within_reach(
    *, account: Account | None, limit: int = 3
) -> list[tuple[Reward, int]]:
    """What the points are good for: the dearest reward the balance buys now, then the
    cheapest ones it does not buy yet, each with the points still missing. Only rewards in
    stock that the customer's tier allows. Two queries."""
    balance = account.balance if account else 0
    threshold = account.tier.threshold if account and account.tier else -1
    available = (
        reward_catalogue()
        .filter(Q(stock__isnull=True) | Q(stock__gt=0))
        .filter(Q(minimum_tier__isnull=True) | Q(minimum_tier__threshold__lte=threshold))
    )
    now = list(available.filter(cost__lte=balance).order_by("-cost", "position")[:1])
    later = list(
        available.filter(cost__gt=balance).order_by("cost", "position")[: limit - len(now)]
    )
    return [(reward, max(reward.cost - balance, 0)) for reward in now + later]
