"""Tiers, earning rules and rewards for the demo brand. Idempotent."""

import contextlib
import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.core.exceptions import ApplicationError
from apps.loyalty.models import Account, EarningRule, Reward, Tier
from apps.loyalty.services import (
    earning_rule_save,
    ledger_credit,
    ledger_debit,
    ledger_expire,
    ledger_reverse,
    redemption_create,
)

TIERS = [
    ("bronze", "Bronze", "Bronze", 0, "1.00", "Punkte für jede Runde.", "Points for every round."),
    ("silver", "Silber", "Silver", 500, "1.25", "25 % mehr Punkte.", "25% more points."),
    (
        "gold",
        "Gold",
        "Gold",
        1500,
        "1.50",
        "50 % mehr Punkte und exklusive Prämien.",
        "50% more points and exclusive rewards.",
    ),
]

RULES = [
    ("Quiz abgeschlossen", "Quiz completed", "quiz.completed", 50),
    ("Challenge geschafft", "Challenge completed", "challenge.completed", 150),
    # A partner's `purchase` event (POST /api/v1/events/): a flat amount per purchase, since
    # a rule gives fixed points (its conditions match values, they cannot scale an amount).
    ("Einkauf bei einem Partner", "Purchase at a partner", "purchase", 25),
]

REWARDS = [
    ("5-€-Gutschein", "€5 voucher", 500, None),
    ("Gratis Versand", "Free shipping", 250, None),
    ("Limitierte Snackbox", "Limited snack box", 1200, 10),
]


@transaction.atomic
def demo_loyalty_ensure() -> int:
    created = 0
    for key, de, en, threshold, multiplier, benefits_de, benefits_en in TIERS:
        _tier, made = Tier.objects.get_or_create(
            key=key,
            defaults={
                "name_de": de,
                "name_en": en,
                "threshold": threshold,
                "multiplier": Decimal(multiplier),
                "benefits_de": benefits_de,
                "benefits_en": benefits_en,
            },
        )
        created += made
    for name_de, name_en, event_name, points in RULES:
        rule = EarningRule.objects.filter(event_name=event_name).order_by("pk").first()
        if rule is None:
            rule = EarningRule(
                name_de=name_de,
                name_en=name_en,
                event_name=event_name,
                points=points,
                cap_per_day=points * 5,
            )
            earning_rule_save(rule=rule)
            created += 1
        elif not rule.name_en and rule.name_de == name_de:
            # Seeded before rules were named per language.
            rule.name_en = name_en
            earning_rule_save(rule=rule)
    for position, (de, en, cost, stock) in enumerate(REWARDS):
        _reward, made = Reward.objects.get_or_create(
            title_de=de,
            defaults={"title_en": en, "cost": cost, "stock": stock, "position": position},
        )
        created += made
    return created


def demo_ledger_exercise(*, accounts: int, seed: int = 1) -> int:
    """Run `accounts` existing accounts through every ledger service (credit, replayed
    credit, debit, redemption, reversal, expiry), one transaction each as in production, so
    that a check of the ledger afterwards has the services' writes to check and not only bulk
    rows. Returns the number of services called."""
    chance = random.Random(seed)
    rewards = list(
        Reward.objects.filter(is_active=True).order_by("cost").values_list("pk", flat=True)
    )
    called = 0
    for account in Account.objects.select_related("profile").order_by("pk")[:accounts]:
        profile, tag = account.profile, f"exercise:{seed}:{account.pk}"
        credit = {"profile": profile, "points": chance.randint(10, 800), "reason": "Exercise"}
        ledger_credit(**credit, idempotency_key=f"{tag}:credit")
        ledger_credit(**credit, idempotency_key=f"{tag}:credit")  # a retry credits nothing
        debit = ledger_debit(
            profile=profile,
            points=chance.randint(1, 10),
            idempotency_key=f"{tag}:debit",
            reason="Exercise",
        )
        ledger_reverse(entry=debit, reason="Exercise")
        called += 4
        if rewards:
            # Not a member, not enough points, sold out or above the tier: refused, nothing written.
            with contextlib.suppress(ApplicationError):
                redemption_create(
                    profile=profile, reward_id=chance.choice(rewards), idempotency_key=tag
                )
            called += 1
        if chance.random() < 0.2:
            ledger_expire(account_id=account.pk, as_of=timezone.now() + timedelta(days=400))
            called += 1
    return called
