from django.conf import settings
from django.http import HttpRequest


def brand(request: HttpRequest) -> dict[str, object]:
    # Language names stay in their own language in the switcher, whatever the page language.
    return {"brand_name": settings.BRAND_NAME, "switcher_languages": settings.LANGUAGES}
