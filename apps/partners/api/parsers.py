"""JSON bodies, refused early when they could only cause trouble further in."""

import json

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "body_too_large"


def _refuse_constant(name: str):
    raise ValueError(name)


class _Members(list):
    """An object's members in the order sent, duplicates kept, until _checked() has seen them."""


def _checked(value, path: str = "", depth: int = 0):
    """The parsed body with its objects as dicts, refused where it could only cause trouble:
    too deep, NUL or lone surrogates in text, or a name given twice in one object (RFC 8259
    leaves that to the reader; we do not pick one of the values for the partner)."""
    if depth > MAX_DEPTH:
        raise ParseError(_("The JSON is nested too deeply."))
    if isinstance(value, str):
        _check_text(value)
        return value
    if isinstance(value, _Members):
        members = {}
        for key, item in value:
            _check_text(key)
            name = f"{path}.{key}" if path else key
            if key in members:
                raise ValidationError({name: [_("This field is given more than once.")]})
            members[key] = _checked(item, name, depth + 1)
        return members
    if isinstance(value, list):
        return [
            _checked(item, f"{path}.{index}" if path else str(index), depth + 1)
            for index, item in enumerate(value)
        ]
    return value


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise ParseError(_("Text may not contain NUL characters."))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ParseError(_("Text contains an unpaired surrogate code point.")) from None


class StrictJSONParser(JSONParser):
    """UTF-8 JSON only: no NaN, no NUL, no lone surrogates, no name twice in an object, at
    most 32 levels, bounded size."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise BodyTooLarge()
        try:
            data = json.loads(
                body.decode("utf-8"), parse_constant=_refuse_constant, object_pairs_hook=_Members
            )
        except (ValueError, RecursionError) as error:
            raise ParseError(_("The body is not valid JSON.")) from error
        return _checked(data)
