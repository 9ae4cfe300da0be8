import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.utils.translation.trans_real import parse_accept_lang_header


def language_from_request(request: HttpRequest) -> str:
    """The visitor's chosen language (cookie set by the switcher), else German.

    The brand speaks German first; English is one click away and then remembered.
    """
    supported = {code for code, _name in settings.LANGUAGES}
    if request.path.startswith("/api/"):
        # Partner systems have no cookie: they ask in Accept-Language, English by default.
        for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
            if code.split("-")[0] in supported:
                return code.split("-")[0]
        return "en"
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if chosen in supported else settings.LANGUAGE_CODE


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp rebuilds the policy string for every response. Unless a view customises the
    policy or a nonce was used, it is the same string each time, so build it once."""

    _CUSTOMISATIONS = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt")

    @cached_property
    def default_policy(self) -> str:
        return build_policy()

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        customised = getattr(request, "_csp_nonce", None) or any(
            getattr(response, attribute, None) for attribute in self._CUSTOMISATIONS
        )
        if (
            customised
            or settings.DEBUG
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        ):
            return super().process_response(request, response)
        if HEADER not in response:
            response[HEADER] = self.default_policy
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


REQUEST_ID_HEADER = "X-Request-ID"
_request_id: ContextVar[str] = ContextVar("request_id", default="-")
_ACCEPTABLE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")


class RequestIdMiddleware:
    """Every response carries a request id (the caller's, if it sent a sane one), and every
    log line written while answering carries it too, so a partner's report finds our logs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = offered if _ACCEPTABLE_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True
