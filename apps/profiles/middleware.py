from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from apps.profiles.selectors import profile_from_session
from apps.profiles.services import profile_mark_seen


class ProfileMiddleware:
    """Attach `request.profile`: the session's Profile or None, loaded only when used."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        loaded: dict[str, object] = {}

        def load() -> object:
            loaded["profile"] = profile_from_session(session=request.session)
            return loaded["profile"]

        request.profile = SimpleLazyObject(load)
        response = self.get_response(request)
        if loaded.get("profile") is not None:
            profile_mark_seen(profile=loaded["profile"])
        return response
