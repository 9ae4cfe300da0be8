"""Signing customers in from a partner's embed token."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.exceptions import ApplicationError
from apps.partners.models import EmbedTokenUse, PartnerClient
from apps.profiles.identifiers import external_id_normalise
from apps.profiles.models import Identifier, Profile
from apps.profiles.services import profile_sign_in_as

PARTNER_KEY = re.compile(r"[-a-zA-Z0-9_]{1,60}")
REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat", "jti"]
# Partners' clocks are not ours.
CLOCK_LEEWAY_SECONDS = 30


def _invalid() -> ApplicationError:
    return ApplicationError(_("This sign-in token is not valid."))


def _partner_for(token: str) -> PartnerClient:
    """The partner that claims to have issued the token; the signature is checked after."""
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise _invalid() from error
    issuer = claims.get("iss")
    partner = (
        PartnerClient.objects.filter(key=issuer, is_active=True).exclude(embed_key="").first()
        if isinstance(issuer, str) and PARTNER_KEY.fullmatch(issuer)
        else None
    )
    if partner is None or header.get("alg") != partner.embed_algorithm:
        raise _invalid()
    return partner


def embed_token_claims(*, token: str) -> tuple[PartnerClient, dict]:
    """Verify a partner's embed token: its signature with that partner's key and algorithm,
    audience, issuer, a lifetime of at most EMBED_TOKEN_MAX_LIFETIME, and a customer id."""
    if not isinstance(token, str) or not token or len(token) > 4096:
        raise _invalid()
    partner = _partner_for(token)
    try:
        claims = jwt.decode(
            token,
            key=partner.embed_key.strip(),
            algorithms=[partner.embed_algorithm],
            audience=settings.EMBED_TOKEN_AUDIENCE,
            issuer=partner.key,
            leeway=CLOCK_LEEWAY_SECONDS,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError as error:
        raise ApplicationError(_("This sign-in token has expired.")) from error
    except jwt.PyJWTError as error:
        raise _invalid() from error
    if not all(type(claims[name]) in (int, float) for name in ("exp", "iat")):
        raise _invalid()
    if claims["exp"] - claims["iat"] > settings.EMBED_TOKEN_MAX_LIFETIME:
        raise ApplicationError(_("This sign-in token lives longer than ten minutes."))
    jti = claims["jti"]
    if not isinstance(jti, str) or not 0 < len(jti) <= 200 or not jti.isprintable():
        raise _invalid()
    claims["sub"] = external_id_normalise(claims["sub"])
    return partner, claims


@dataclass(frozen=True)
class EmbedEntry:
    """What the confirm page shows before a token is used: whose account it opens."""

    partner_name: str
    customer_hint: str


def customer_id_masked(value: str) -> str:
    """Enough of a partner's customer id to recognise one's own, too little to learn another's."""
    shown = value[-2:] if len(value) > 4 else ""
    return "•" * 4 + shown


def embed_token_check(*, token: str) -> EmbedEntry:
    """Verify a token without using it up: opening the link (a mail scanner, a preview, the
    customer before tapping) changes nothing."""
    partner, claims = embed_token_claims(token=token)
    if EmbedTokenUse.objects.filter(partner=partner, jti=claims["jti"]).exists():
        raise ApplicationError(_("This sign-in token was already used."))
    return EmbedEntry(partner_name=partner.name, customer_hint=customer_id_masked(claims["sub"]))


@transaction.atomic
def embed_sign_in(*, token: str, locale: str) -> Profile:
    """Sign a customer in with a partner's token: verified, used once, and the profile found
    by (or linked to) the partner's customer id.

    The browser's anonymous profile is never merged in: a token can be passed on, and the
    one who passes it must not receive what the browser's owner played.
    """
    partner, claims = embed_token_claims(token=token)
    expires_at = datetime.fromtimestamp(claims["exp"], tz=UTC) + timedelta(
        seconds=CLOCK_LEEWAY_SECONDS
    )
    try:
        with transaction.atomic():
            EmbedTokenUse.objects.create(partner=partner, jti=claims["jti"], expires_at=expires_at)
    except IntegrityError as error:
        raise ApplicationError(_("This sign-in token was already used.")) from error
    return profile_sign_in_as(
        kind=Identifier.Kind.EXTERNAL,
        namespace=partner.key,
        value=claims["sub"],
        current=None,
        locale=locale,
    )


def embed_token_uses_forget_expired() -> int:
    """A used token id is needed only until the token would have expired anyway."""
    deleted, _kinds = EmbedTokenUse.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted
