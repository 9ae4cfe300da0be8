"""Idempotency-Key for partner writes: a retried request gets the first answer, not a second
effect. Keys are per partner and kept at least a day (see idempotency_records_forget_old).

The first request under a key claims it in its own committed transaction; a parallel
duplicate then finds it in progress (409) instead of running too. The answer is stored with
the write it reports, so a success is never stored without its effect, nor the reverse.
"""

import functools
import hashlib
import json
from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from apps.partners.api.problems import PROBLEM_CONTENT_TYPE, ApiProblem
from apps.partners.api.schema import ProblemSerializer
from apps.partners.models import IdempotencyRecord
from apps.partners.services import (
    idempotency_record_claim,
    idempotency_record_finish,
    idempotency_record_release,
)

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=True,
    description=(
        "A unique value per write, e.g. a UUID, 1 to 200 printable ASCII characters. "
        "Sending the same request again with the same key returns the first answer "
        "(with `Idempotent-Replayed: true`) instead of doing it twice. Keys are kept for "
        "at least 24 hours; a key reused for a different request is refused with 422."
    ),
)
# Problem answers every idempotent write adds to the common ones (see schema.py).
IDEMPOTENCY_RESPONSES = {
    (409, PROBLEM_CONTENT_TYPE): OpenApiResponse(
        ProblemSerializer,
        description="A request with this Idempotency-Key is still being answered; retry shortly.",
    ),
    (422, PROBLEM_CONTENT_TYPE): OpenApiResponse(
        ProblemSerializer,
        description=(
            "Refused: a business rule said no, the body names something unknown, or the "
            "Idempotency-Key was used for a different request."
        ),
    ),
}


def _key_from(request) -> str:
    key = request.headers.get(HEADER, "").strip()
    # The IETF draft sends the key as a quoted string; plain keys are just as common.
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not key:
        raise ApiProblem(
            status_code=400,
            problem_type="idempotency-key-missing",
            title=_("This request needs an Idempotency-Key header."),
            detail=_("Send a unique value, e.g. a UUID, so a retry cannot act twice."),
        )
    if len(key) > MAX_KEY_LENGTH or not (key.isascii() and key.isprintable()):
        raise ApiProblem(
            status_code=400,
            problem_type="idempotency-key-invalid",
            title=_("The Idempotency-Key header is not valid."),
            detail=_("Use 1 to %(max)s printable ASCII characters.") % {"max": MAX_KEY_LENGTH},
        )
    return key


def request_fingerprint(request) -> str:
    """Method, path and the body as canonical JSON: the same request in other whitespace or
    key order is still the same request."""
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{request.method}\n{request.path}\n{body}".encode()).hexdigest()


def _earlier_answer(record: IdempotencyRecord, request_hash: str) -> Response:
    if record.request_hash != request_hash:
        raise ApiProblem(
            status_code=422,
            problem_type="idempotency-key-reused",
            title=_("This Idempotency-Key was used for a different request."),
            detail=_("Use a new key for each new request."),
        )
    if record.response_status is None:
        raise ApiProblem(
            status_code=409,
            problem_type="idempotency-in-progress",
            title=_("A request with this Idempotency-Key is still being answered."),
            detail=_("Retry in a moment to receive its answer."),
        )
    content_type = PROBLEM_CONTENT_TYPE if record.response_status >= 400 else None
    return Response(
        record.response_body,
        status=record.response_status,
        content_type=content_type,
        headers={"Idempotent-Replayed": "true"},
    )


def _stored_body(response: Response):
    # As the partner receives it: lazy strings, UUIDs and dates become plain JSON.
    return json.loads(JSONRenderer().render(response.data) or b"null")


def idempotent(method: Callable[..., Response]) -> Callable[..., Response]:
    """Run a PartnerAPIView's write at most once per Idempotency-Key, which it receives as
    the keyword argument `key`.

    Successes are stored in the write's transaction; refusals (4xx) are stored too, so a
    retry is refused alike. Our own failures (5xx) release the key for the retry.
    """

    @functools.wraps(method)
    def wrapper(view, request, *args, **kwargs) -> Response:
        key = _key_from(request)
        # Reading the body first: a body that cannot be read is refused before anything is kept.
        request_hash = request_fingerprint(request)
        record, claimed = idempotency_record_claim(
            partner=view.partner, key=key, request_hash=request_hash
        )
        if not claimed:
            return _earlier_answer(record, request_hash)
        stored = False
        try:
            with transaction.atomic():
                response = method(view, request, *args, key=key, **kwargs)
                if 200 <= response.status_code < 300:
                    idempotency_record_finish(
                        record=record, status=response.status_code, body=_stored_body(response)
                    )
                    stored = True
        except Exception as error:
            try:
                response = view.handle_exception(error)
            except Exception:
                idempotency_record_release(record=record)
                raise
        if not stored and 400 <= response.status_code < 500:
            idempotency_record_finish(
                record=record, status=response.status_code, body=_stored_body(response)
            )
        elif not stored:
            idempotency_record_release(record=record)
        return response

    return wrapper
