from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def client_ip(request: HttpRequest) -> str:
    """The visitor's address. Behind TRUSTED_PROXY_COUNT proxies it is the address the
    outermost trusted proxy saw; X-Forwarded-For entries before that are the client's claim."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def safe_local_path(request: HttpRequest, candidate: str, *, default: str) -> str:
    """`candidate` if it is a path on this site, else `default`: never an open redirect."""
    is_local_path = candidate.startswith("/") and not candidate.startswith("//")
    if is_local_path and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default
