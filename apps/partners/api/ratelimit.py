"""Requests per partner per minute, counted atomically in the shared cache (Redis INCR), so
parallel requests in many workers cannot slip past the limit together."""

import logging
import time

from django.conf import settings
from django.core.cache import caches
from redis.exceptions import RedisError
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60


class PartnerRateLimit(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        partner = request.auth.partner
        limit = partner.requests_per_minute
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        reset = WINDOW_SECONDS - int(now % WINDOW_SECONDS)
        key = f"api-rate:{partner.pk}:{window}"
        cache = caches[settings.RATELIMIT_USE_CACHE]
        try:
            # add() then incr(): two atomic commands, never a read-modify-write in Python.
            cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
            used = cache.incr(key)
        except (RedisError, OSError, ValueError):
            # The limit protects the service; losing it for a moment must not stop partners.
            logger.warning("API rate limit not counted for partner %s.", partner.pk)
            return True
        request.rate_limit = (limit, max(limit - used, 0), reset)
        self.reset = reset
        return used <= limit

    def wait(self) -> float:
        return self.reset


def rate_limit_headers(request) -> dict[str, str]:
    """RateLimit fields as in the IETF draft: the policy and what is left of it."""
    state = getattr(request, "rate_limit", None)
    if state is None:
        return {}
    limit, remaining, reset = state
    return {
        "RateLimit-Policy": f'"partner";q={limit};w={WINDOW_SECONDS}',
        "RateLimit": f'"partner";r={remaining};t={reset}',
    }
