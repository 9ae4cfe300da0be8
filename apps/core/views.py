import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.core.health import readiness
from apps.core.middleware import language_from_request

# Partner API errors are problem details (RFC 9457) under this address, in every app.
PROBLEM_TYPE_BASE = "/api/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"
# A lost database connection is back within seconds: a restart, a failover.
UNAVAILABLE_RETRY_AFTER_SECONDS = 5


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks = readiness()
    failed = sorted(name for name, result in checks.items() if result != "ok")
    body = {"status": "unavailable" if failed else "ok", "checks": checks, "failed": failed}
    return JsonResponse(body, status=503 if failed else 200)


def rate_limited(
    request: HttpRequest, exception: Exception | None, *, retry_after: int = 60
) -> HttpResponse:
    response = render(
        request,
        "core/rate-limited.html",
        {"message": _("Slow down a little: too many tries in a short time. Please wait a minute.")},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500: our page, or problem details under /api/, never a bare line.

    A lost database connection (a restart, a failover) passes by itself, so it answers 503
    with Retry-After rather than 500. Nothing here touches the database: the page renders
    without the request's context processors.
    """
    unavailable = isinstance(sys.exception(), OperationalError | InterfaceError)
    status = 503 if unavailable else 500
    with translation.override(language_from_request(request)):
        if unavailable:
            title = _("We are back in a moment")
            message = _(
                "We cannot reach our data just now. Nothing you sent was half saved: "
                "please try again in a few seconds."
            )
        else:
            title = _("Something went wrong")
            message = _("We could not answer this request. Please try again in a moment.")
        if request.path.startswith("/api/"):
            problem = "service-unavailable" if unavailable else "server-error"
            response = JsonResponse(
                {
                    "type": PROBLEM_TYPE_BASE + problem,
                    "title": title,
                    "status": status,
                    "detail": message,
                    "instance": request.path,
                },
                status=status,
                content_type=PROBLEM_CONTENT_TYPE,
            )
        else:
            context = {
                "title": title,
                "message": message,
                "status": status,
                "language": translation.get_language(),
            }
            response = HttpResponse(render_to_string("500.html", context), status=status)
    if unavailable:
        response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER_SECONDS)
    return response
