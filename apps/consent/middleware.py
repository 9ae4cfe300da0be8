from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from apps.consent.evidence import Evidence, gpc_signal
from apps.consent.selectors import consent_sale_or_share_open
from apps.consent.services import consent_apply_gpc


class GlobalPrivacyControlMiddleware:
    """`Sec-GPC: 1` withdraws every sale/share purpose of a known visitor, with evidence.

    Costs nothing for visitors without the signal or without a profile.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            gpc_signal(request)
            and request.profile
            and consent_sale_or_share_open(profile=request.profile)
        ):
            consent_apply_gpc(
                profile=request.profile,
                evidence=Evidence.from_request(request),
                collection_point=f"gpc:{request.path}"[:200],
                language=get_language(),
            )
        return self.get_response(request)
