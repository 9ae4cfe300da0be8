"""Fields kept per language (a column per entry in LANGUAGES); reads use the active language
and fall back to German."""

from modeltranslation.translator import register

from apps.core.translated_fields import TranslatedFields
from apps.preferences.models import Attribute, AttributeValue


@register(Attribute)
class AttributeTranslation(TranslatedFields):
    fields = ("label",)


@register(AttributeValue)
class AttributeValueTranslation(TranslatedFields):
    fields = ("label",)
