from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.core.health import readiness


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
