from django.conf import settings
from django.http import HttpRequest


def brand(request: HttpRequest) -> dict[str, str]:
    return {"brand_name": settings.BRAND_NAME}


def embed(request: HttpRequest) -> dict:
    """`embed` in every template: the frame this page is shown in, or None."""
    return {"embed": getattr(request, "embed", None)}
