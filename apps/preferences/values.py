"""What a valid value looks like for each kind of attribute, and how it reads to a person."""

from datetime import date
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from apps.core.exceptions import ApplicationError
from apps.preferences.models import Attribute, AttributeValue

JsonValue = str | int | list[str]


def _as_int(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        return int(raw.strip())
    return None


def attribute_clean_value(
    *, attribute: Attribute, raw: Any, allowed: list[AttributeValue] | None = None
) -> JsonValue:
    """The stored form of `raw`, or an ApplicationError saying what is wrong with it."""
    kind = attribute.kind
    if kind in (Attribute.Kind.SINGLE_CHOICE, Attribute.Kind.MULTIPLE_CHOICE):
        allowed = allowed if allowed is not None else list(attribute.values.all())
        order = {value.key: index for index, value in enumerate(allowed)}
        if kind == Attribute.Kind.SINGLE_CHOICE:
            if not isinstance(raw, str) or raw not in order:
                raise ApplicationError(_("Choose one of the offered answers."))
            return raw
        if not isinstance(raw, list) or not raw or not all(isinstance(v, str) for v in raw):
            raise ApplicationError(_("Choose at least one of the offered answers."))
        if any(v not in order for v in raw):
            raise ApplicationError(_("Choose only from the offered answers."))
        return sorted(set(raw), key=order.__getitem__)

    if kind in (Attribute.Kind.SCALE, Attribute.Kind.NUMBER):
        number = _as_int(raw)
        if number is None:
            raise ApplicationError(_("Enter a whole number."))
        if not attribute.min_value <= number <= attribute.max_value:
            raise ApplicationError(
                _("Enter a number from %(min)s to %(max)s.")
                % {"min": attribute.min_value, "max": attribute.max_value}
            )
        return number

    if kind == Attribute.Kind.TEXT:
        text = raw.strip() if isinstance(raw, str) else ""
        if not text:
            raise ApplicationError(_("Write a few words."))
        if len(text) > attribute.max_length:
            raise ApplicationError(
                _("Keep it to %(max)s characters.") % {"max": attribute.max_length}
            )
        return text

    if isinstance(raw, date):
        return raw.isoformat()
    try:
        return date.fromisoformat(raw).isoformat()
    except (TypeError, ValueError):
        raise ApplicationError(_("Enter a date like 2024-05-31.")) from None


def attribute_display_value(
    *, attribute: Attribute, value: JsonValue, allowed: list[AttributeValue]
) -> str:
    """The value as the customer reads it, in the active language."""
    labels = {choice.key: choice.label for choice in allowed}
    if attribute.kind == Attribute.Kind.SINGLE_CHOICE:
        return labels.get(value, str(value))
    if attribute.kind == Attribute.Kind.MULTIPLE_CHOICE:
        return ", ".join(labels.get(v, v) for v in value)
    if attribute.kind == Attribute.Kind.SCALE:
        return _("%(value)s of %(max)s") % {"value": value, "max": attribute.max_value}
    if attribute.kind == Attribute.Kind.DATE:
        return formats.date_format(date.fromisoformat(value), "DATE_FORMAT")
    return str(value)
