"""Fields kept per language (a column per entry in LANGUAGES); reads use the active language
and fall back to German."""

from modeltranslation.translator import register

from apps.consent.models import PurposeVersion
from apps.core.translated_fields import TranslatedFields


@register(PurposeVersion)
class PurposeVersionTranslation(TranslatedFields):
    fields = ("title", "summary", "text")
