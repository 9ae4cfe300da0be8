"""Errors as RFC 9457 problem details, each kind with a stable `type` partners can match on."""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from apps.core.exceptions import ApplicationError
from apps.partners.api.parsers import BodyTooLarge

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "/api/problems/"


class ApiProblem(exceptions.APIException):
    """A refusal a view raises with its own stable type, e.g. an idempotency conflict."""

    def __init__(self, *, status_code: int, problem_type: str, title: str, detail: str = ""):
        super().__init__(detail or title)
        self.status_code = status_code
        self.problem_type = problem_type
        self.title = title


# DRF's error codes mapped to our stable problem types and their titles.
_TYPES = {
    "parse_error": ("malformed-request", lambda: _("The request body could not be read.")),
    "body_too_large": ("body-too-large", lambda: _("The request body is too large.")),
    "not_authenticated": ("not-authenticated", lambda: _("Authentication is required.")),
    "authentication_failed": ("invalid-token", lambda: _("The access token is not valid.")),
    "invalid_token": ("invalid-token", lambda: _("The access token is not valid.")),
    "insufficient_scope": ("insufficient-scope", lambda: _("The token lacks a scope.")),
    "permission_denied": ("forbidden", lambda: _("This is not allowed.")),
    "not_found": ("not-found", lambda: _("Not found.")),
    "method_not_allowed": ("method-not-allowed", lambda: _("This method is not allowed here.")),
    "not_acceptable": ("not-acceptable", lambda: _("We cannot answer in that format.")),
    "unsupported_media_type": (
        "unsupported-media-type",
        lambda: _("Send the body as application/json."),
    ),
    "throttled": ("rate-limited", lambda: _("Too many requests.")),
}


def problem_response(
    *,
    status_code: int,
    problem_type: str,
    title: str,
    detail: str = "",
    instance: str = "",
    extra: dict | None = None,
    headers: dict | None = None,
) -> Response:
    body = {"type": PROBLEM_BASE + problem_type, "title": title, "status": status_code}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extra or {})
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def _field_errors(detail, prefix: str = "") -> list[dict[str, str]]:
    """Flatten DRF's nested validation errors into [{"field": "a.b", "message": "..."}]."""
    if isinstance(detail, dict):
        errors = []
        for key, value in detail.items():
            name = str(key) if key != "non_field_errors" else ""
            errors += _field_errors(value, f"{prefix}.{name}".strip(".") if name else prefix)
        return errors
    if isinstance(detail, list):
        errors = []
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                errors += _field_errors(value, f"{prefix}.{index}".strip("."))
            else:
                errors += _field_errors(value, prefix)
        return errors
    return [{"field": prefix, "message": str(detail)}]


def problem_exception_handler(exc, context) -> Response | None:
    request = context.get("request")
    instance = request.path if request is not None else ""
    if isinstance(exc, RequestDataTooBig):
        exc = BodyTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, ApplicationError):
        return problem_response(
            status_code=status.HTTP_422_UNPROCESSABLE_ENTITY,
            problem_type="refused",
            title=_("The request was understood but refused."),
            detail=exc.message,
            instance=instance,
        )
    if isinstance(exc, ApiProblem):
        return problem_response(
            status_code=exc.status_code,
            problem_type=exc.problem_type,
            title=exc.title,
            detail=str(exc.detail),
            instance=instance,
        )
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, exceptions.ValidationError):
        return problem_response(
            status_code=exc.status_code,
            problem_type="validation-error",
            title=_("Some fields are not valid."),
            instance=instance,
            extra={"errors": _field_errors(exc.detail)},
            headers=headers,
        )
    code = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
    problem_type, title = _TYPES.get(code, ("error", lambda: _("The request failed.")))
    return problem_response(
        status_code=exc.status_code,
        problem_type=problem_type,
        title=title(),
        detail=str(exc.detail),
        instance=instance,
        headers=headers,
    )
