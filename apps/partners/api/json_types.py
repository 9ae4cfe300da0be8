"""The JSON type each input field takes, and nothing else: DRF's fields convert what they can
("5" into 5, 5 into "5", "yes" into true, a number into a UUID), so a partner's bug would be
stored as if it were meant. Input serializers (StrictSerializer) refuse such values instead."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

TEXT = (str,)
NUMBER = (int, float)

_EXPECTED = {
    "text": _("Send text."),
    "integer": _("Send a whole number."),
    "number": _("Send a number."),
    "boolean": _("Send true or false."),
    "list": _("Send a list."),
    "object": _("Send an object."),
}


def _kind(field: serializers.Field) -> str | None:
    """The JSON type a field takes; None for fields that check their own (JSONField, custom)."""
    if isinstance(field, serializers.BooleanField):
        return "boolean"
    if isinstance(field, serializers.IntegerField):
        return "integer"
    if isinstance(field, serializers.FloatField | serializers.DecimalField):
        return "number"
    if isinstance(field, serializers.ListField | serializers.ListSerializer):
        return "list"
    if isinstance(field, serializers.MultipleChoiceField):
        return "list"
    if isinstance(field, serializers.Serializer | serializers.DictField):
        return "object"
    if isinstance(field, serializers.ChoiceField):
        keys = list(field.choices)
        if keys and all(isinstance(key, int) and not isinstance(key, bool) for key in keys):
            return "integer"
        return "text"
    if isinstance(
        field,
        serializers.CharField
        | serializers.UUIDField
        | serializers.DateTimeField
        | serializers.DateField
        | serializers.TimeField
        | serializers.DurationField,
    ):
        return "text"
    return None


def _fits(kind: str, value) -> bool:
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("integer", "number"):
        # 1.5 for a whole number is the field's to refuse, with its own message.
        return isinstance(value, NUMBER) and not isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return isinstance(value, TEXT)


def json_type_errors(field: serializers.Field, value, name: str) -> dict[str, list[str]]:
    """{"name": [message]} for a value of the wrong JSON type, list items included."""
    kind = _kind(field)
    if value is None or kind is None:
        # null is the field's to allow or refuse (allow_null), with its own message.
        return {}
    if not _fits(kind, value):
        return {name: [str(_EXPECTED[kind])]}
    child = getattr(field, "child", None)
    if kind == "list" and isinstance(child, serializers.Field):
        errors = {}
        for index, item in enumerate(value):
            errors |= json_type_errors(child, item, f"{name}.{index}")
        return errors
    return {}
