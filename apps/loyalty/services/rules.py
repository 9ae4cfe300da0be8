from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.events import KeyedEvent
from apps.core.models import OutboxEvent
from apps.core.process_cache import ProcessCache
from apps.core.translated_fields import text_in
from apps.loyalty.models import (
    Account,
    EarningRule,
    LedgerEntry,
    rule_credit_key,
    rule_source_ref,
)
from apps.loyalty.services.ledger import account_lock, ledger_credit
from apps.profiles.models import Profile

# Every event asks.
REWARDED_EVENTS = ProcessCache("loyalty.rewarded-events", check_every=1)

# Consent must stay free: consent events, and preference events (which only happen while a
# purpose is granted), never earn. Loyalty's own events would credit themselves in a loop.
UNREWARDABLE_PREFIXES = ("consent.", "preference.", "points.", "tier.", "reward.", "badge.")


class SegmentCheck(Protocol):
    """What loyalty needs to know of segments. Personalization provides it (see its
    AppConfig.ready): loyalty may not import the apps above it."""

    def contains(self, profile: Profile, segment_key: str) -> bool: ...

    def problem(self, segment_key: str) -> str: ...


_segments: SegmentCheck | None = None


def segment_check_register(check: SegmentCheck) -> None:
    global _segments
    _segments = check


def segment_problem(segment_key: str) -> str:
    if _segments is None:
        return str(_("Segments are not available."))
    return _segments.problem(segment_key)


def _in_segment(rule: EarningRule, profile: Profile) -> bool:
    return not rule.segment_key or (
        _segments is not None and _segments.contains(profile, rule.segment_key)
    )


def _earned_from(rule: EarningRule, *, account: Account | None = None, since=None) -> int:
    entries = LedgerEntry.objects.filter(source_ref=rule_source_ref(rule.pk))
    if account is not None:
        entries = entries.filter(account=account)
    if since is not None:
        entries = entries.filter(created_at__gte=since)
    return entries.aggregate(total=Sum("amount"))["total"] or 0


def _within_caps(rule: EarningRule, account: Account | None, points: int) -> bool:
    now = timezone.now()
    caps = [
        (rule.cap_per_day, now - timedelta(days=1)),
        (rule.cap_per_week, now - timedelta(days=7)),
        (rule.cap_lifetime, None),
    ]
    for cap, since in caps:
        if (
            cap is not None
            and account is not None
            and _earned_from(rule, account=account, since=since) + points > cap
        ):
            return False
    return rule.global_budget is None or _earned_from(rule) + points <= rule.global_budget


def earning_rules_apply(*, event: OutboxEvent) -> list[LedgerEntry]:
    """Credit every active rule the event satisfies, in the transaction of the action itself,
    once per rule and event (the event's own idempotency key when it brings one). An event
    whose payload says its points are withheld (`PointsWithheld`) credits nothing now."""
    if event.name.startswith(UNREWARDABLE_PREFIXES) or "profile" not in event.payload:
        return []
    if event.payload.get("points_withheld") or event.name not in rewarded_event_names():
        return []
    occurrence = event.payload.get("idempotency_key") or f"event:{event.pk}"
    return _apply_rules(event.name, event.payload, occurrence)


def earning_rules_apply_withheld(*, event: KeyedEvent) -> list[LedgerEntry]:
    """Credit now an occurrence whose points were withheld until the player signed in: the
    rules active now, under the same keys as at the time, so it is never credited twice.
    Only a member is credited; the caller passes the event as it happened, for the member."""
    payload = event.payload()
    profile = Profile.objects.filter(public_id=payload["profile"]).first()
    if profile is None or profile.kind != Profile.Kind.MEMBER:
        return []
    if event.name not in rewarded_event_names():
        return []
    return _apply_rules(event.name, payload, event.idempotency_key)


def rewarded_event_names() -> set[str]:
    """Events some active rule listens to, kept by each process (`REWARDED_EVENTS`)."""
    return REWARDED_EVENTS.get(
        lambda: set(EarningRule.objects.filter(is_active=True).values_list("event_name", flat=True))
    )


@transaction.atomic
def earning_rule_save(*, rule: EarningRule) -> EarningRule:
    rule.full_clean()
    rule.save()
    REWARDED_EVENTS.forget()
    return rule


# Runs inside the publishing transaction, and nobody catches what it raises and goes on: a
# savepoint of its own would guard nothing.
@transaction.atomic(savepoint=False)
def _apply_rules(name: str, payload: dict, occurrence: str) -> list[LedgerEntry]:
    now = timezone.now()
    rules = list(
        EarningRule.objects.filter(event_name=name, is_active=True)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=now))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=now))
        .order_by("pk")
    )
    rules = [rule for rule in rules if rule.matches(payload)]
    if not rules:
        return []
    profile = Profile.objects.filter(public_id=payload["profile"]).first()
    if profile is None:
        return []
    # Caps are checked and credited under the account lock, so parallel events cannot both fit.
    account = account_lock(profile=profile)
    # A merge that committed while this waited for the lock made the profile a tombstone:
    # the points belong to the member now, or they would be stranded on an emptied account.
    merged_into = Profile.objects.filter(pk=profile.pk).values_list("merged_into", flat=True).get()
    if merged_into is not None:
        profile = Profile.objects.get(pk=merged_into)
        account = account_lock(profile=profile)
    credited = []
    for rule in rules:
        if credited and account is None:
            # A credit may have made the account or changed its tier: read it again.
            account = account_lock(profile=profile)
        if not _in_segment(rule, profile):
            continue
        if rule.global_budget is not None:
            # Customers share this budget: queue on the rule so it is never overspent.
            EarningRule.objects.select_for_update().filter(pk=rule.pk).get()
        points = rule.points
        if rule.multiply_by_tier and account and account.tier:
            points = int(
                (Decimal(points) * account.tier.multiplier).quantize(0, rounding=ROUND_HALF_UP)
            )
        if points <= 0 or not _within_caps(rule, account, points):
            continue
        credited.append(
            ledger_credit(
                profile=profile,
                points=points,
                idempotency_key=rule_credit_key(rule.pk, occurrence),
                # Stored in one language whatever the request spoke; the wallet reads the
                # rule's name in the reader's language through `source_ref`.
                reason=text_in(rule, "name", "en"),
                source_ref=rule_source_ref(rule.pk),
            )
        )
        account = None
    return credited
