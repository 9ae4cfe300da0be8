"""Tiers, earning rules and rewards for the demo brand. Idempotent."""

from decimal import Decimal

from django.db import transaction

from apps.loyalty.models import EarningRule, Reward, Tier
from apps.loyalty.services import earning_rule_save

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
    ("Quiz abgeschlossen", "quiz.completed", 50),
    ("Challenge geschafft", "challenge.completed", 150),
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
    for name, event_name, points in RULES:
        if not EarningRule.objects.filter(event_name=event_name).exists():
            rule = EarningRule(
                name=name, event_name=event_name, points=points, cap_per_day=points * 5
            )
            earning_rule_save(rule=rule)
            created += 1
    for position, (de, en, cost, stock) in enumerate(REWARDS):
        _reward, made = Reward.objects.get_or_create(
            title_de=de,
            defaults={"title_en": en, "cost": cost, "stock": stock, "position": position},
        )
        created += made
    return created
