from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.core.exceptions import ApplicationError
from apps.core.http import safe_local_path
from apps.core.ratelimits import ip_limit_reached
from apps.core.views import rate_limited
from apps.partners.services import embed_sign_in
from apps.profiles.http import HtmxHttpRequest
from apps.profiles.sessions import session_sign_in


@never_cache
@require_GET
def embed_entry(request: HtmxHttpRequest) -> HttpResponse:
    """Where a partner's shop sends a customer it knows: /embed/?token=<JWT>&next=/c/quiz/.
    The token is used once and the redirect leaves it behind."""
    if ip_limit_reached(request, group="embed:ip", limit=settings.EMBED_LIMIT_PER_IP):
        return rate_limited(request, None, retry_after=settings.EMBED_LIMIT_PER_IP[1])
    try:
        profile = embed_sign_in(token=request.GET.get("token", ""), locale=get_language())
    except ApplicationError as error:
        context = {
            "message": error.message,
            "hint": _(
                "Go back to the shop and open the link again, or play here without signing in."
            ),
            "action_url": reverse("home"),
            "action_label": _("To the campaigns"),
        }
        return render(request, "core/problem.html", context, status=400)
    session_sign_in(session=request.session, profile=profile)
    next_path = safe_local_path(request, request.GET.get("next", ""), default=reverse("home"))
    response = HttpResponseRedirect(next_path)
    response["Referrer-Policy"] = "no-referrer"
    return response
