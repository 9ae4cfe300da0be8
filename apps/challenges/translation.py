"""Fields kept per language (a column per entry in LANGUAGES); reads use the active language
and fall back to German."""

from modeltranslation.translator import register

from apps.challenges.models import Challenge, ChallengeStep
from apps.core.translated_fields import TranslatedFields


@register(Challenge)
class ChallengeTranslation(TranslatedFields):
    fields = ("title", "description")


@register(ChallengeStep)
class ChallengeStepTranslation(TranslatedFields):
    fields = ("label",)
