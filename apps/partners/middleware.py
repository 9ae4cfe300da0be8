"""Pages framed by a brand's own site, served again under `/embed/`.

`EmbedMiddleware` (outermost) serves `/embed/<page>` as `<page>` with `/embed/` as the script
prefix, so every `reverse()` and `{% url %}` of a framed page stays in the frame without the
views knowing; it also makes the cookies of these responses work in a cross-site frame.
`EmbedFrameMiddleware` (inside sessions and the CSP) admits only the embeddable pages, takes
the frame's entry parameters, sets `request.embed`, and lets only allowed sites frame them.
"""

from collections.abc import Callable

from csp.constants import NONE
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import Resolver404, get_script_prefix, resolve, reverse, set_script_prefix
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from apps.core.embedding import (
    EMBED_HOST_SESSION_KEY,
    EMBED_PREFIX,
    EMBED_THEME_SESSION_KEY,
    EmbedContext,
)
from apps.core.exceptions import ApplicationError
from apps.core.ratelimits import ip_limit_reached
from apps.core.views import rate_limited
from apps.partners.embed_entry import (
    EMBED_PENDING_TOKEN_SESSION_KEY,
    has_entry_params,
    language_from_params,
    page_embeddable,
    theme_from_params,
    theme_params_given,
    url_without_entry_params,
)
from apps.partners.embed_session import (
    SESSION_CHECK_PARAM,
    session_address_renewed,
    session_check_answer,
    session_from_address,
    session_key_signed,
)
from apps.partners.origins import origin_of
from apps.partners.selectors import embed_origins_allowed
from apps.partners.services import embed_sign_in, embed_token_check
from apps.profiles.sessions import session_sign_in

_FRAMED_COOKIES = (
    settings.SESSION_COOKIE_NAME,
    settings.CSRF_COOKIE_NAME,
    settings.LANGUAGE_COOKIE_NAME,
)


def is_embed_path(path: str) -> bool:
    """Under /embed/, but not the partner's top-level sign-in link at exactly /embed/."""
    return path.startswith(EMBED_PREFIX) and path != EMBED_PREFIX


def _cookies_partitioned(response: HttpResponse) -> None:
    """In a frame on another site, browsers send only cookies marked SameSite=None; those
    blocking third-party cookies send them only if also Partitioned (CHIPS), kept per
    embedding site. Python 3.11's Morsel knows no Partitioned attribute (3.14 adds it), but
    writes SameSite's value as given, so the flag rides on it: "SameSite=None; Partitioned".
    Secure is required by both; browsers accept it on http://localhost and 127.0.0.1 too."""
    for name in _FRAMED_COOKIES:
        morsel = response.cookies.get(name)
        if morsel is not None:
            morsel["secure"] = True
            morsel["samesite"] = "None; Partitioned"


class EmbedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_embed_path(request.path_info):
            return self.get_response(request)
        path, prefix = session_from_address(request, request.path_info[len(EMBED_PREFIX) - 1 :])
        checked = session_check_answer(request, path, embed_origins_allowed())
        if checked is not None:
            return checked
        request.path_info = path
        request.embed_requested = True
        previous = get_script_prefix()
        set_script_prefix(previous + prefix.lstrip("/"))
        try:
            response = self.get_response(request)
        finally:
            # The prefix is per thread; the next request on it (or the test client's next
            # call, in the same thread) must not inherit /embed/.
            set_script_prefix(previous)
        session_address_renewed(request, response)
        _cookies_partitioned(response)
        return response


def _own_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}".lower()


def _referer_origin(request: HttpRequest) -> str | None:
    referer = request.headers.get("Referer", "")
    if not referer:
        return None
    own = _own_origin(request)
    if referer.lower() == own or referer.lower().startswith(f"{own}/"):
        return own
    # An origin we could not read ("null", garbage) counts as a site that is not allowed.
    return origin_of(referer) or referer[:200]


def _not_allowed(request: HttpRequest, origin: str) -> HttpResponse:
    """A clear page instead of a blank frame. It holds no form and no data, so any site may
    show it."""
    response = render(
        request,
        "partners/embed-not-allowed.html",
        {"origin": origin, "campaign_url": request.path_info},
        status=403,
    )
    response.xframe_options_exempt = True
    response._csp_replace = {"frame-ancestors": ["*"]}
    return response


def _frame_headers(response: HttpResponse, allowed: frozenset[str]) -> HttpResponse:
    response.xframe_options_exempt = True
    response._csp_replace = {
        **(getattr(response, "_csp_replace", None) or {}),
        "frame-ancestors": sorted(allowed) or [NONE],
    }
    return response


def _token_problem(request: HttpRequest, error: ApplicationError, play_url: str) -> HttpResponse:
    context = {
        "message": error.message,
        "hint": _("You can still play without signing in."),
        "action_url": play_url,
        "action_label": _("Play without signing in"),
    }
    return render(request, "core/problem.html", context, status=400)


class EmbedFrameMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.embed = None
        if not getattr(request, "embed_requested", False):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404 as error:
            raise Http404(_("This page does not exist.")) from error
        if not page_embeddable(match):
            raise Http404(_("This page does not exist."))
        allowed = embed_origins_allowed()
        referer_origin = _referer_origin(request)
        if referer_origin not in (None, _own_origin(request), *allowed):
            return _not_allowed(request, referer_origin)
        params = request.GET
        if "host" in params:
            host = origin_of(params["host"])
            if host not in allowed:
                return _not_allowed(request, host or params["host"][:200])
            if request.session.get(EMBED_HOST_SESSION_KEY) != host:
                request.session[EMBED_HOST_SESSION_KEY] = host
        if "host" in params or theme_params_given(params):
            request.session[EMBED_THEME_SESSION_KEY] = theme_from_params(params)
        language = language_from_params(params)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        request.embed = EmbedContext(
            host_origin=request.session.get(EMBED_HOST_SESSION_KEY),
            theme=request.session.get(EMBED_THEME_SESSION_KEY) or {},
        )
        if request.method in ("GET", "HEAD") and has_entry_params(params):
            response = self._entry(request, framed_by_allowed=referer_origin in allowed)
        else:
            response = self.get_response(request)
        return _frame_headers(response, allowed)

    def _entry(self, request: HttpRequest, *, framed_by_allowed: bool) -> HttpResponse:
        """Take the entry parameters, then send the frame to the same page without them."""
        clean_url = url_without_entry_params(request.path, request.GET)
        token = request.GET.get("token", "")
        response: HttpResponse | None = None
        if token:
            response = self._token(request, token, clean_url, framed_by_allowed)
        if response is None:
            response = HttpResponseRedirect(self._checked(request, clean_url), status=303)
        response["Referrer-Policy"] = "no-referrer"
        language = language_from_params(request.GET)
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response

    def _checked(self, request: HttpRequest, clean_url: str) -> str:
        """Where the entry sends the frame: a browser that sent no session cookie is asked
        once whether it keeps the one this response sets (`embed_session`)."""
        if settings.SESSION_COOKIE_NAME in request.COOKIES or getattr(
            request, "embed_session_in_address", None
        ):
            return clean_url
        if request.session.session_key is None:
            request.session.save()
        signed = session_key_signed(request.session.session_key)
        separator = "&" if "?" in clean_url else "?"
        return f"{clean_url}{separator}{urlencode({SESSION_CHECK_PARAM: signed})}"

    def _token(
        self, request: HttpRequest, token: str, clean_url: str, framed_by_allowed: bool
    ) -> HttpResponse | None:
        """A partner's signed-in customer. Signed in at once only in a frame on an allowed
        site (the browser says it is a frame, the Referer which site); anywhere else the
        customer taps to confirm first, as on the partner's top-level link."""
        if ip_limit_reached(request, group="embed:ip", limit=settings.EMBED_LIMIT_PER_IP):
            return rate_limited(request, None, retry_after=settings.EMBED_LIMIT_PER_IP[1])
        in_frame = request.headers.get("Sec-Fetch-Dest") == "iframe"
        try:
            if in_frame and framed_by_allowed:
                profile = embed_sign_in(token=token, locale=translation.get_language())
                session_sign_in(session=request.session, profile=profile)
                return None
            embed_token_check(token=token)
        except ApplicationError as error:
            return _token_problem(request, error, clean_url)
        request.session[EMBED_PENDING_TOKEN_SESSION_KEY] = token
        confirm_url = f"{reverse('partners:embed')}?{urlencode({'next': clean_url})}"
        return HttpResponseRedirect(confirm_url, status=303)
