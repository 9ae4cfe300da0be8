from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from apps.core.embedding import embed_of
from apps.core.exceptions import ApplicationError
from apps.core.http import safe_local_path
from apps.core.ratelimits import ip_limit_reached
from apps.core.views import rate_limited
from apps.partners.embed_entry import EMBED_PENDING_TOKEN_SESSION_KEY, theme_stylesheet
from apps.partners.services import embed_sign_in, embed_token_check
from apps.profiles.http import HtmxHttpRequest
from apps.profiles.sessions import session_sign_in


def _embed_problem(
    request: HtmxHttpRequest, error: ApplicationError, next_path: str
) -> HttpResponse:
    framed = embed_of(request) is not None
    context = {
        "message": error.message,
        "hint": _("Go back to the shop and open the link again, or play here without signing in."),
        # In a frame the campaigns' home page is out of reach: back to the page it showed.
        "action_url": next_path if framed else reverse("home"),
        "action_label": _("Play without signing in") if framed else _("To the campaigns"),
    }
    return render(request, "core/problem.html", context, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def embed_entry(request: HtmxHttpRequest) -> HttpResponse:
    """Where a partner's shop sends a customer it knows: /embed/?token=<JWT>&next=/c/quiz/.

    GET shows whose account the token opens and asks for a tap; it changes nothing, so a
    forwarded link or a mail scanner opening it signs nobody in and uses nothing up. The
    POST (CSRF-protected, so only a tap on this page) uses the token once and signs in."""
    if ip_limit_reached(request, group="embed:ip", limit=settings.EMBED_LIMIT_PER_IP):
        return rate_limited(request, None, retry_after=settings.EMBED_LIMIT_PER_IP[1])
    data = request.POST if request.method == "POST" else request.GET
    token, next_candidate = data.get("token", ""), data.get("next", "")
    if not token and embed_of(request) is not None:
        # In a frame the entry kept the token in the session, out of every address.
        token = request.session.get(EMBED_PENDING_TOKEN_SESSION_KEY, "")
    next_path = safe_local_path(request, next_candidate, default=reverse("home"))
    try:
        if request.method == "GET":
            entry = embed_token_check(token=token)
            response = render(
                request,
                "partners/embed-confirm.html",
                {"entry": entry, "token": token, "next_path": next_path},
            )
            # The token is in this page's address: a Referer may carry it to this site only.
            # Not "no-referrer": the button's POST would then send "Origin: null", which
            # Django's CSRF check refuses.
            response["Referrer-Policy"] = "same-origin"
            return response
        profile = embed_sign_in(token=token, locale=get_language())
    except ApplicationError as error:
        return _embed_problem(request, error, next_path)
    request.session.pop(EMBED_PENDING_TOKEN_SESSION_KEY, None)
    session_sign_in(session=request.session, profile=profile)
    response = HttpResponseRedirect(next_path)
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def embed_theme(request: HttpRequest) -> HttpResponse:
    """The host page's colours and radius for this frame, as CSS variables after the
    campaign's own: a stylesheet, so the CSP needs no inline style."""
    embed = embed_of(request)
    if embed is None:
        raise Http404(_("This page does not exist."))
    response = HttpResponse(theme_stylesheet(embed.theme), content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "private, no-cache"
    return response
