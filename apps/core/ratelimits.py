"""Rate limits on the few views that need them, answered with a friendly 429 page.

A decorator rather than django-ratelimit's middleware, so requests to every other view pay
nothing for it. Counters live in the cache, keyed by a keyed hash of what they count.
"""

import logging
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited
from redis import RedisError

from apps.core.http import client_ip

RATE_LIMIT_SALT = "resonanz.core.rate-limit"

logger = logging.getLogger(__name__)


def _over_limit(request: HttpRequest, **counter) -> bool:
    """django-ratelimit's count, open while the cache is down: RATELIMIT_FAIL_OPEN covers a
    lost count, but a refused connection would raise and answer the customer with a 500."""
    try:
        return is_ratelimited(request, increment=True, **counter)
    except (RedisError, OSError):
        logger.warning("Rate limit not counted: the cache cannot be reached.")
        return False


def limit_posts(*, key: str, rate: str) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def limited_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            # Counted under the view's dotted name, as django-ratelimit's decorator does.
            if _over_limit(request, group=None, fn=view, key=key, rate=rate, method="POST"):
                from apps.core.views import rate_limited

                return rate_limited(request, exception=None)
            return view(request, *args, **kwargs)

        return limited_view

    return decorator


def rate_key(value: str) -> str:
    """What a counter is keyed by: never the raw address or e-mail in the cache."""
    return salted_hmac(RATE_LIMIT_SALT, value, algorithm="sha256").hexdigest()


def limit_reached(request: HttpRequest, *, group: str, value: str, limit: tuple[int, int]) -> bool:
    """Count one try of `value` in `group`; true once more than `limit` = (count, seconds)
    tries fell into the current window."""
    count, seconds = limit
    hashed = rate_key(value)
    return _over_limit(
        request,
        group=group,
        key=lambda _group, _request: hashed,
        rate=f"{count}/{seconds}s",
        method=ALL,
    )


def ip_limit_reached(request: HttpRequest, *, group: str, limit: tuple[int, int]) -> bool:
    return limit_reached(request, group=group, value=client_ip(request), limit=limit)
