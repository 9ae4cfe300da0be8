"""Web origins of the brands' own sites, in the one form browsers send them: "scheme://host[:port]".

An origin that may frame our pages is compared with `Referer` headers and with the `host` the
embedding script names, so each is normalised once: lowercase, punycode, no default port, no
path. Production allows only https; development also allows http on this machine.
"""

import ipaddress
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})
DEFAULT_PORTS = {"https": 443, "http": 80}
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def _host_normalise(hostname: str) -> str | None:
    if hostname.startswith("[") or ":" in hostname:
        try:
            return f"[{ipaddress.IPv6Address(hostname.strip('[]')).compressed}]"
        except ValueError:
            return None
    try:
        hostname = hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    labels = hostname.split(".")
    if not all(_LABEL.fullmatch(label) for label in labels):
        return None
    return hostname


def origin_normalise(value: str) -> str:
    """The origin of a site as browsers name it, or ValidationError saying what is wrong."""
    value = (value or "").strip()
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as error:
        raise ValidationError(_("Enter an address like https://shop.example.")) from error
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname or parts.username or parts.password:
        raise ValidationError(_("Enter an address like https://shop.example."))
    if parts.path not in ("", "/") or parts.query or parts.fragment or value.endswith("?"):
        raise ValidationError(_("Enter only the site's address, without a path or parameters."))
    host = _host_normalise(parts.hostname)
    if host is None:
        raise ValidationError(_("Enter an address like https://shop.example."))
    # Browsers may set Secure cookies and send origins without TLS only on this machine.
    if scheme == "http" and not (settings.DEBUG and host in LOOPBACK_HOSTS):
        raise ValidationError(
            _(
                "Only https addresses may embed campaigns (http only on this computer, in development)."
            )
        )
    shown_port = "" if port in (None, DEFAULT_PORTS[scheme]) else f":{port}"
    return f"{scheme}://{host}{shown_port}"


def origin_of(url: str | None) -> str | None:
    """The normalised origin of a URL (a Referer, a `host` parameter), or None if it has none
    we would accept; the path, if any, is ignored."""
    if not url or len(url) > 2000:
        return None
    try:
        parts = urlsplit(url)
        return origin_normalise(f"{parts.scheme}://{parts.netloc}")
    except (ValidationError, ValueError):
        return None
