"""How fast one client address may earn and redeem: counters in the shared cache.

Cookie-less clients are a new anonymous profile on every visit, so a limit per profile alone
stops nobody; these count per (hashed) client address. They run at the HTTP edge, where the
address is known; the per-profile limits live in the services and the database.

While the cache cannot be reached, both fail open, and say so in the log. For earning, a
lost limit costs little: points are redeemable only by verified members. For redeeming, the
rules that matter most do not depend on the cache: only a member redeems, and each member
only `LOYALTY_REDEEM_LIMIT_PER_PROFILE` times, counted in the database under the account
lock. Failing closed would stop every real member's redemption during a cache outage to
guard against an attacker who would still need one verified mailbox per few vouchers.
"""

import logging

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit import ALL
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

from apps.core.http import client_ip
from apps.core.ratelimits import ip_limit_reached, rate_key
from apps.loyalty.selectors import points_earned_for
from apps.profiles.models import Profile

logger = logging.getLogger(__name__)

EARN_GROUP = "loyalty.earn:ip"
REDEEM_GROUP = "loyalty.redeem:ip"
# What an unreachable cache raises: Django's RedisCache, or the socket under it.
CACHE_ERRORS = (RedisError, OSError, ValueError)


def _rate(limit: tuple[int, int]) -> str:
    count, seconds = limit
    return f"{count}/{seconds}s"


def earning_allowed(request: HttpRequest) -> bool:
    """Whether a play finished from this address may still credit points: true until
    `LOYALTY_EARN_LIMIT_PER_IP` plays that credited points were counted in the window.
    Only reads the counter (`earning_count` adds to it once points were credited)."""
    hashed = rate_key(client_ip(request))
    try:
        usage = get_usage(
            request,
            group=EARN_GROUP,
            key=lambda _group, _request: hashed,
            rate=_rate(settings.LOYALTY_EARN_LIMIT_PER_IP),
            method=ALL,
            increment=False,
        )
    except CACHE_ERRORS:
        logger.warning("Earning limit not checked: the cache cannot be reached.")
        return True
    return usage is None or usage["count"] < usage["limit"]


def earning_count(request: HttpRequest, *, profile: Profile, occurrence: str) -> None:
    """Count an occurrence from this address (a finished play: "participation:42") if it
    credited points; one that earned nothing does not use up the limit."""
    if not points_earned_for(profile=profile, occurrence=occurrence):
        return
    try:
        ip_limit_reached(request, group=EARN_GROUP, limit=settings.LOYALTY_EARN_LIMIT_PER_IP)
    except CACHE_ERRORS:
        logger.warning("Earning not counted: the cache cannot be reached.")


def redeeming_allowed(request: HttpRequest) -> bool:
    """Count one redemption try from this address; false beyond `LOYALTY_REDEEM_LIMIT_PER_IP`
    tries in the window."""
    try:
        return not ip_limit_reached(
            request, group=REDEEM_GROUP, limit=settings.LOYALTY_REDEEM_LIMIT_PER_IP
        )
    except CACHE_ERRORS:
        logger.warning("Redemption limit per address not checked: the cache cannot be reached.")
        return True
