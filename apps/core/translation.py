from django.db import models
from django.utils.translation import get_language


def localised(instance: models.Model, field: str, language: str | None = None) -> str:
    """`<field>_<language>` of a row with per-language columns, falling back to German."""
    language = (language or get_language() or "de")[:2]
    return getattr(instance, f"{field}_{language}", "") or getattr(instance, f"{field}_de")
