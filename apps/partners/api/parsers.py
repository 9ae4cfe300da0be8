"""JSON bodies, refused early when they could only cause trouble further in."""

import json

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "body_too_large"


def _refuse_constant(name: str):
    raise ValueError(name)


def _check(value, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise ParseError(_("The JSON is nested too deeply."))
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check(item, depth + 1)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise ParseError(_("Text may not contain NUL characters."))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ParseError(_("Text contains an unpaired surrogate code point.")) from None


class StrictJSONParser(JSONParser):
    """UTF-8 JSON only: no NaN, no NUL, no lone surrogates, at most 32 levels, bounded size."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise BodyTooLarge()
        try:
            data = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as error:
            raise ParseError(_("The body is not valid JSON.")) from error
        _check(data)
        return data
