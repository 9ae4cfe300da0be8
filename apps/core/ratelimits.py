"""Rate limits on the few views that need them, answered with a friendly 429 page.

A decorator rather than django-ratelimit's middleware, so requests to every other view pay
nothing for it.
"""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django_ratelimit.decorators import ratelimit


def limit_posts(*, key: str, rate: str) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @ratelimit(key=key, rate=rate, method="POST", block=False)
        @wraps(view)
        def limited_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if getattr(request, "limited", False):
                from apps.core.views import rate_limited

                return rate_limited(request, exception=None)
            return view(request, *args, **kwargs)

        return limited_view

    return decorator
