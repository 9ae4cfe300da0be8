"""Fields kept per language (a column per entry in LANGUAGES); reads use the active language
and fall back to German."""

from modeltranslation.translator import register

from apps.core.translated_fields import TranslatedFields
from apps.personalization.models import Offer


@register(Offer)
class OfferTranslation(TranslatedFields):
    fields = ("title", "text")
