"""The script a brand's page loads to show our pages in a frame (static/embed/resonanz.js):
its address on our site and its integrity, as every snippet and the demo shop write them."""

from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.templatetags.static import static

from apps.core.storage import static_integrity

EMBED_SCRIPT = "embed/resonanz.js"


def embed_script_src() -> str:
    """The file's hashed address in production, absolute on our site."""
    return urljoin(f"{settings.SITE_URL}/", static(EMBED_SCRIPT))


def embed_script_tag() -> str:
    """The tag to paste: the brand's page runs exactly the file we published, or nothing."""
    return (
        f'<script async src="{embed_script_src()}" integrity="{static_integrity(EMBED_SCRIPT)}" '
        'crossorigin="anonymous"></script>'
    )


def resonanz_origin() -> str:
    """Ours, which a host page's Content-Security-Policy allows in script-src and frame-src."""
    site = urlsplit(settings.SITE_URL)
    return f"{site.scheme}://{site.netloc}"
