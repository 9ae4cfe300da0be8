"""Fields kept per language (a column per entry in LANGUAGES); reads use the active language
and fall back to German."""

from modeltranslation.translator import register

from apps.core.translated_fields import TranslatedFields
from apps.loyalty.models import Badge, EarningRule, Reward, Tier


@register(Tier)
class TierTranslation(TranslatedFields):
    fields = ("name", "benefits")


@register(Reward)
class RewardTranslation(TranslatedFields):
    fields = ("title", "description")


@register(Badge)
class BadgeTranslation(TranslatedFields):
    fields = ("name", "description")


@register(EarningRule)
class EarningRuleTranslation(TranslatedFields):
    # Customers read it in their points history.
    fields = ("name",)
