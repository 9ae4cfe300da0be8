from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from oauth2_provider.views import TokenView

from apps.core.ratelimits import ip_limit_reached
from apps.partners.api.problems import PROBLEM_BASE, PROBLEM_CONTENT_TYPE


@csrf_exempt
def api_not_found(request, problem_type: str = "") -> JsonResponse:
    """Unknown API addresses answer in problem details too, not with an HTML page."""
    return JsonResponse(
        {
            "type": PROBLEM_BASE + "not-found",
            "title": _("Not found."),
            "status": 404,
            "instance": request.path,
        },
        status=404,
        content_type=PROBLEM_CONTENT_TYPE,
    )


# Secrets are checked with a slow hash; guessing them must stay slower still.
TOKEN_LIMIT_PER_IP = (30, 60)


@csrf_exempt
@require_POST
def token(request):
    """OAuth2 client credentials (the toolkit's token endpoint), behind a per-address limit."""
    if ip_limit_reached(request, group="api-token:ip", limit=TOKEN_LIMIT_PER_IP):
        response = JsonResponse(
            {
                "type": PROBLEM_BASE + "rate-limited",
                "title": _("Too many requests."),
                "status": 429,
                "instance": request.path,
            },
            status=429,
            content_type=PROBLEM_CONTENT_TYPE,
        )
        response["Retry-After"] = str(TOKEN_LIMIT_PER_IP[1])
        return response
    return _token_view(request)


_token_view = TokenView.as_view()
