"""Validators shared by the apps' models."""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so
# "/\evil.example" or "/<tab>/evil.example" would lead off the site like "//evil.example".
UNSAFE_IN_LINKS = re.compile(r"[\s\\\x00-\x1f\x7f]")


def validate_site_or_https_link(value: str) -> None:
    """A link staff put in front of customers: a path on this site or an https address with
    a host. Never protocol-relative (`//evil.example`), another scheme or a bare word."""
    parts = urlsplit(value)
    is_site_path = value.startswith("/") and not value.startswith("//")
    is_https = parts.scheme == "https" and bool(parts.hostname) and value.startswith("https://")
    if UNSAFE_IN_LINKS.search(value) or not (is_site_path or is_https):
        raise ValidationError(_("Use a path on this site or an https address."), code="unsafe_link")
