from collections.abc import Callable

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property


def language_from_request(request: HttpRequest) -> str:
    """The visitor's chosen language (cookie set by the switcher), else German.

    The brand speaks German first; English is one click away and then remembered.
    """
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    supported = {code for code, _name in settings.LANGUAGES}
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
