"""The frame's session in its address, for browsers that keep no cookie in a frame at all
(neither third-party nor partitioned): `/embed/s/<signed session key>/c/...`.

As the key is part of the script prefix, every link and form of the framed pages carries it.
It is used only when no session cookie came and the request is a navigation from one of our
own pages (`Sec-Fetch-Site: same-origin`): a link from another site cannot plant a session on
a visitor, and a browser that keeps cookies never uses it. The frame's entry hands the key on
once, in `?embed-session=`, to find out whether the cookie came back; only if it did not is
the frame moved to the address that carries it. CSRF for these requests rests on the key in
the address, which no other site can know; `Referrer-Policy: same-origin` keeps it from
leaving with a link.
"""

import re

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string

from apps.core.embedding import EMBED_PREFIX

SESSION_CHECK_PARAM = "embed-session"
_SESSION_IN_PATH = re.compile(r"^/s/(?P<signed>[^/]{1,200})(?P<rest>/.*)$")
# Headers that send the frame on: after a new session key they must name the new one.
_ADDRESS_HEADERS = ("Location", "HX-Redirect", "HX-Push-Url", "HX-Location")


def _signer() -> signing.Signer:
    return signing.Signer(salt="partners.embed-session", sep=".")


def session_key_signed(session_key: str) -> str:
    return _signer().sign(session_key)


def _session_key(signed: str) -> str | None:
    try:
        return _signer().unsign(signed)
    except signing.BadSignature:
        return None


def _from_our_own_page(request: HttpRequest) -> bool:
    return (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
        and request.headers.get("Sec-Fetch-Site") == "same-origin"
    )


def session_prefix(signed: str) -> str:
    return f"{EMBED_PREFIX}s/{signed}/"


def session_from_address(request: HttpRequest, path: str) -> tuple[str, str]:
    """(path without the session, script prefix). Uses the session named in the address
    when it may; anyone else continues without it, under the plain /embed/ prefix."""
    match = _SESSION_IN_PATH.match(path)
    if match is None:
        return path, EMBED_PREFIX
    session_key = _session_key(match["signed"])
    if session_key is None or not _from_our_own_page(request):
        # Gone from the path too, so no form (the language switch's "next") hands it on.
        request.path = request.path.removesuffix(path) + match["rest"]
        return match["rest"], EMBED_PREFIX
    request.COOKIES[settings.SESSION_COOKIE_NAME] = session_key
    # No CSRF cookie either: the unguessable key in the address stands in for it.
    request._dont_enforce_csrf_checks = True
    request.embed_session_in_address = session_key
    return match["rest"], session_prefix(match["signed"])


def session_check_answer(
    request: HttpRequest, path: str, allowed: frozenset[str]
) -> HttpResponse | None:
    """The entry's one look at whether the session cookie came back: it did, so on to the
    page; or it did not, so on to the address that carries the session."""
    signed = request.GET.get(SESSION_CHECK_PARAM)
    if signed is None:
        return None
    rest = request.GET.copy()
    del rest[SESSION_CHECK_PARAM]
    query = f"?{rest.urlencode()}" if rest else ""
    session_key = _session_key(signed)
    if session_key is None or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return HttpResponseRedirect(f"{EMBED_PREFIX[:-1]}{path}{query}", status=303)
    address = f"{session_prefix(signed)[:-1]}{path}{query}"
    if request.headers.get("Sec-Fetch-Site") == "same-origin":
        return HttpResponseRedirect(address, status=303)
    if request.headers.get("Sec-Fetch-Dest") != "iframe":
        # A link from elsewhere, opened as a page: it must not lead into someone's session.
        return HttpResponseRedirect(f"{EMBED_PREFIX[:-1]}{path}{query}", status=303)
    return _continue_page(address, allowed)


def _continue_page(address: str, allowed: frozenset[str]) -> HttpResponse:
    """Still in the entry's cross-site redirect chain: one step from our own page makes the
    navigation same-origin. A refresh, not a script: it works with JavaScript off. Only an
    allowed site may frame it (set here: this answer leaves before the CSP middleware), so
    no other site can walk a visitor into a session it knows."""
    html = render_to_string(
        "partners/embed-continue.html",
        {"address": address, "brand_name": settings.BRAND_NAME},
    )
    response = HttpResponse(html)
    ancestors = " ".join(sorted(allowed)) or "'none'"
    response["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'self'; frame-ancestors {ancestors}"
    )
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response


def session_address_renewed(request: HttpRequest, response: HttpResponse) -> None:
    """The session got a new key (a sign-in): the addresses the response sends the frame
    to name the new one."""
    old_key = getattr(request, "embed_session_in_address", None)
    new_key = getattr(getattr(request, "session", None), "session_key", None)
    if old_key is None or new_key in (None, old_key):
        return
    old_prefix = session_prefix(session_key_signed(old_key))
    new_prefix = session_prefix(session_key_signed(new_key))
    for header in _ADDRESS_HEADERS:
        if response.get(header, "").startswith(old_prefix):
            response[header] = new_prefix + response[header][len(old_prefix) :]
