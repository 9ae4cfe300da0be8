from django.db.models import Model
from modeltranslation import settings as mt_settings
from modeltranslation.translator import TranslationOptions
from modeltranslation.utils import build_localized_fieldname


class TranslatedFields(TranslationOptions):
    """Registration options for a model's translated fields (each app's `translation.py`).

    Every language's column stays NOT NULL like the field it translates: a missing translation
    is "" and reads fall back to German. So the columns that existed before the library keep
    their schema, and a new language's columns are added without asking for a default.
    """

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls.field_options = {
            name: {"default": {"null": False}} | cls.field_options.get(name, {})
            for name in cls.fields
        }


def translations(instance: Model, field: str) -> dict[str, str]:
    """Each language's own text of a translated field, by language code (no fallback)."""
    return {
        language: getattr(instance, build_localized_fieldname(field, language))
        for language in mt_settings.AVAILABLE_LANGUAGES
    }
