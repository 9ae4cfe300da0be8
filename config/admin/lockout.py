"""The page a locked-out staff sign-in gets (django-axes' AXES_LOCKOUT_CALLABLE)."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """429 with the time sign-in opens again. Every try while locked restarts the cool-off,
    so that time counts from now."""
    site = admin.site
    context = {
        "site_header": site.site_header,
        "site_title": site.site_title,
        "program_name": settings.PROGRAM_NAME,
        "has_permission": False,
        "is_nav_sidebar_enabled": False,
        "retry_at": timezone.localtime() + settings.AXES_COOLOFF_TIME,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    # Rendered here: axes' middleware answers after Django renders template responses.
    return render(request, "admin/locked_out.html", context, status=429)
