from django.db.models import Model
from django.utils import translation
from modeltranslation import settings as mt_settings
from modeltranslation.translator import NotRegistered, TranslationOptions, translator
from modeltranslation.utils import build_localized_fieldname

AVAILABLE_LANGUAGES: tuple[str, ...] = tuple(mt_settings.AVAILABLE_LANGUAGES)
DEFAULT_LANGUAGE: str = mt_settings.DEFAULT_LANGUAGE


class TranslatedFields(TranslationOptions):
    """Registration options for a model's translated fields (each app's `translation.py`).

    Every language's column stays NOT NULL like the field it translates: a missing translation
    is "" and reads fall back to German. Only German is required (when the field is); the other
    languages may stay empty, which also lets `makemigrations` add a new language's columns
    without asking for a default.
    """

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        per_language = {
            "default": {"null": False, "blank": True},
            mt_settings.DEFAULT_LANGUAGE: {"null": False},
        }
        cls.field_options = {
            name: per_language | cls.field_options.get(name, {}) for name in cls.fields
        }


def translations(instance: Model, field: str) -> dict[str, str]:
    """Each language's own text of a translated field, by language code (no fallback)."""
    return {
        language: getattr(instance, build_localized_fieldname(field, language))
        for language in mt_settings.AVAILABLE_LANGUAGES
    }


def translated_base_fields(model: type[Model]) -> frozenset[str]:
    """The fields read through the active language; their own column only mirrors German, so
    a snapshot of the row keeps the per-language columns instead."""
    try:
        options = translator.get_options_for_model(model)
    except NotRegistered:
        return frozenset()
    return frozenset(options.all_fields)


def text_in(instance: Model, field: str, language: str) -> str:
    """A translated field's text in one language, German where that language has none."""
    with translation.override(language):
        return getattr(instance, field)
