"""What a frame's first address carries and what it may show: the embedding site, language,
theme and sign-in token of `/embed/<page>?host=...&lang=...&theme-brand=...&token=...`, and
the pages that may be served under `/embed/` at all."""

import re
from collections.abc import Mapping

from django.conf import settings
from django.http import QueryDict
from django.urls import ResolverMatch

# (namespace, url name); a name of None admits the whole namespace. Everything else under
# /embed/ is 404: the admin, the API, staff previews, pages that lead out of the frame.
EMBEDDABLE_PAGES: dict[str, frozenset[str] | None] = {
    "campaigns": None,
    "consent": frozenset({"decide", "center", "receipt", "receipt-json", "receipt-jwt"}),
    "preferences": None,
    "loyalty": None,
    "profiles": frozenset({"sign-in", "sign-in-sent", "sign-in-link"}),
    "partners": frozenset({"embed", "embed-theme"}),
    # The language switch posts to Django's set_language.
    "": frozenset({"set_language"}),
}
# Staff only: the frame never shows them.
NOT_EMBEDDABLE = frozenset({("campaigns", "preview")})

THEME_PARAM_PREFIX = "theme-"
# theme-<name> parameter -> CSS custom property (without "--") in the theme stylesheet.
THEME_COLOURS = {
    "brand": "color-brand",
    "background": "color-bg",
    "surface": "color-surface",
    "text": "color-text",
}
THEME_RADIUS = "radius"
THEME_RADIUS_MAX_PX = 32
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_PIXELS = re.compile(r"(\d{1,2})(?:px)?")
ENTRY_PARAMS = ("host", "lang", "token")
# A partner's token waiting for the customer's tap on the confirm page, kept out of addresses.
EMBED_PENDING_TOKEN_SESSION_KEY = "embed.pending-token"


def page_embeddable(match: ResolverMatch) -> bool:
    if (match.namespace, match.url_name) in NOT_EMBEDDABLE:
        return False
    if match.namespace not in EMBEDDABLE_PAGES:
        return False
    names = EMBEDDABLE_PAGES[match.namespace]
    return names is None or match.url_name in names


def has_entry_params(params: Mapping[str, str]) -> bool:
    return any(name in ENTRY_PARAMS or name.startswith(THEME_PARAM_PREFIX) for name in params)


def theme_params_given(params: Mapping[str, str]) -> bool:
    return any(name.startswith(THEME_PARAM_PREFIX) for name in params)


def theme_from_params(params: Mapping[str, str]) -> dict[str, str]:
    """The theme the host page asks for, as CSS custom properties: only hex colours and a
    radius of 0 to 32 px survive; anything else is dropped, never passed into CSS."""
    theme: dict[str, str] = {}
    for name, css_name in THEME_COLOURS.items():
        value = params.get(f"{THEME_PARAM_PREFIX}{name}", "")
        if _HEX_COLOUR.fullmatch(value):
            theme[css_name] = value.lower()
    radius = _PIXELS.fullmatch(params.get(f"{THEME_PARAM_PREFIX}{THEME_RADIUS}", ""))
    if radius and int(radius[1]) <= THEME_RADIUS_MAX_PX:
        theme[THEME_RADIUS] = f"{int(radius[1])}px"
    return theme


def language_from_params(params: Mapping[str, str]) -> str | None:
    language = params.get("lang", "")
    return language if language in {code for code, _name in settings.LANGUAGES} else None


def url_without_entry_params(path: str, params: QueryDict) -> str:
    """The same address without what the entry carried: the token never stays in the
    address bar, the history or a Referer."""
    kept = params.copy()
    for name in list(kept):
        if name in ENTRY_PARAMS or name.startswith(THEME_PARAM_PREFIX):
            del kept[name]
    query = kept.urlencode()
    return f"{path}?{query}" if query else path


def theme_stylesheet(theme: Mapping[str, str]) -> str:
    """`:root` overrides for the theme kept in the session; checked again, since nothing but
    a known property with a checked value may reach CSS."""
    checked = theme_from_params(
        {
            f"{THEME_PARAM_PREFIX}{param}": theme.get(css_name, "")
            for param, css_name in (*THEME_COLOURS.items(), (THEME_RADIUS, THEME_RADIUS))
        }
    )
    declarations = "".join(f" --{name}: {value};" for name, value in checked.items())
    return f":root {{{declarations} }}\n"
