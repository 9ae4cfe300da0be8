import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.events import publish
from apps.core.exceptions import ApplicationError
from apps.core.models import OutboxEvent
from apps.loyalty.selectors import account_for_profile, points_earned_for
from apps.partners.events import PartnerEventReported
from apps.partners.models import EmbedTokenUse, IdempotencyRecord, PartnerClient, PartnerEventType
from apps.profiles.identifiers import external_id_normalise
from apps.profiles.models import Identifier, Profile
from apps.profiles.selectors import profile_by_identifier
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


@transaction.atomic
def partner_link_customer(*, partner: PartnerClient, external_id: str) -> tuple[Profile, bool]:
    """The partner's customer as a profile: found by the partner's id, or made for it.
    Returns the profile and whether it was new."""
    existing = profile_by_identifier(
        kind=Identifier.Kind.EXTERNAL, namespace=partner.key, value=external_id
    )
    if existing is not None:
        return existing, False
    profile = profile_sign_in_as(
        kind=Identifier.Kind.EXTERNAL,
        namespace=partner.key,
        value=external_id,
        current=None,
        locale=settings.LANGUAGE_CODE,
    )
    return profile, True


def oauth_client_create(*, name: str, client_secret: str, **fields):
    """A confidential client-credentials client; the secret is stored hashed."""
    from oauth2_provider.models import Application

    return Application.objects.create(
        name=name,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=client_secret,
        hash_client_secret=True,
        **fields,
    )


@transaction.atomic
def partner_client_create(
    *,
    name: str,
    key: str,
    scopes: list[str],
    purpose_keys: list[str],
    contact_email: str = "",
) -> tuple[PartnerClient, str]:
    """A partner with its OAuth2 client. Returns the client secret, which is stored only
    hashed and so can be shown this once."""
    from oauth2_provider.generators import generate_client_secret

    from apps.consent.models import Purpose

    secret = generate_client_secret()
    application = oauth_client_create(name=name, client_secret=secret)
    partner = PartnerClient(
        name=name, key=key, scopes=scopes, contact_email=contact_email, application=application
    )
    partner.full_clean(exclude=["application"])
    partner.save()
    purposes = list(Purpose.objects.filter(key__in=purpose_keys))
    if len(purposes) != len(set(purpose_keys)):
        raise ApplicationError(_("Unknown purpose among %(keys)s.") % {"keys": purpose_keys})
    partner.allowed_purposes.set(purposes)
    return partner, secret


@transaction.atomic
def partner_token_issue(*, partner: PartnerClient, scopes: list[str] | None = None) -> str:
    """A bearer token without the token endpoint's round trip, for the partner's own tools
    and for tests. Same lifetime and storage as tokens from /api/oauth/token/."""
    from oauth2_provider.generators import generate_client_secret
    from oauth2_provider.models import AccessToken, set_token_value
    from oauth2_provider.settings import oauth2_settings

    raw = generate_client_secret()
    token = AccessToken(
        application=partner.application,
        expires=timezone.now() + timedelta(seconds=oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS),
        scope=" ".join(scopes if scopes is not None else partner.scopes),
    )
    set_token_value(token, raw)
    token.save()
    return raw


@transaction.atomic
def partner_secret_reset(*, partner: PartnerClient) -> str:
    """A new client secret (and OAuth2 client, for partners made before the API): the old
    secret and every token issued with it stop working at once."""
    from oauth2_provider.generators import generate_client_secret
    from oauth2_provider.models import AccessToken

    secret = generate_client_secret()
    if partner.application is None:
        partner.application = oauth_client_create(name=partner.name, client_secret=secret)
        partner.save(update_fields=["application"])
        return secret
    application = partner.application
    application.client_secret = secret
    application.save(update_fields=["client_secret"])
    AccessToken.objects.filter(application=application).delete()
    return secret


# Partner keys end up inside ledger keys ("rule:<id>:<key>", "redeem:<key>"), which hold 200
# characters; longer keys are replaced by their digest so the ledger never refuses them.
SCOPED_KEY_MAX_LENGTH = 160
# Payload names the event's own fields take; a partner's properties may not replace them.
RESERVED_EVENT_FIELDS = frozenset({"profile", "partner", "idempotency_key", "occurred_at"})
# An answer that never came (the process died mid-request) is given up after this long, so a
# retry may run; the ledger's own keys still stop it from crediting twice.
IDEMPOTENCY_IN_PROGRESS_TIMEOUT = timedelta(minutes=5)
# Partners are promised 24 hours; twice that covers retries across a day boundary.
IDEMPOTENCY_RETENTION = timedelta(hours=48)
IDEMPOTENCY_DELETE_BATCH_SIZE = 1000


def partner_scoped_key(*, partner: PartnerClient, key: str) -> str:
    """The partner's Idempotency-Key as the ledger sees it: never equal to another partner's."""
    scoped = f"partner:{partner.key}:{key}"
    if len(scoped) <= SCOPED_KEY_MAX_LENGTH:
        return scoped
    return f"partner:{partner.key}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


@dataclass(frozen=True)
class RecordedEvent:
    event: OutboxEvent
    points_credited: int
    balance: int


@transaction.atomic
def partner_event_record(
    *,
    partner: PartnerClient,
    profile: Profile,
    event_type: str,
    properties: dict,
    occurred_at: datetime | None,
    idempotency_key: str,
) -> RecordedEvent:
    """Publish a partner's event for one of its customers; earning rules credit in this
    transaction, once per rule and key, so a repeated report never earns twice."""
    if not PartnerEventType.objects.filter(key=event_type, is_active=True).exists():
        raise ApplicationError(_("Unknown event type: %(type)s.") % {"type": event_type})
    occurrence = partner_scoped_key(partner=partner, key=idempotency_key)
    event = publish(
        PartnerEventReported(
            type=event_type,
            properties=properties,
            profile=str(profile.public_id),
            partner=partner.key,
            idempotency_key=occurrence,
            occurred_at=occurred_at or timezone.now(),
        )
    )
    account = account_for_profile(profile=profile)
    return RecordedEvent(
        event=event,
        points_credited=points_earned_for(profile=profile, occurrence=occurrence),
        balance=account.balance if account else 0,
    )


def idempotency_record_claim(
    *, partner: PartnerClient, key: str, request_hash: str
) -> tuple[IdempotencyRecord, bool]:
    """The partner's record for this key, and whether this request may run under it: a new
    key is inserted and committed at once, so a parallel duplicate finds it in progress."""
    try:
        with transaction.atomic(durable=True):
            record = IdempotencyRecord.objects.create(
                partner=partner, key=key, request_hash=request_hash
            )
        return record, True
    except IntegrityError:
        pass
    record = IdempotencyRecord.objects.filter(partner=partner, key=key).first()
    if record is None:
        # The first request failed and let go of the key between our insert and this read.
        return IdempotencyRecord(partner=partner, key=key, request_hash=request_hash), False
    abandoned = (
        record.response_status is None
        and record.request_hash == request_hash
        and record.created_at < timezone.now() - IDEMPOTENCY_IN_PROGRESS_TIMEOUT
    )
    if abandoned:
        # Conditional on the old time, so of several retries only one takes the key over.
        taken = IdempotencyRecord.objects.filter(
            pk=record.pk, response_status__isnull=True, created_at=record.created_at
        ).update(created_at=timezone.now())
        return record, taken == 1
    return record, False


def idempotency_record_finish(*, record: IdempotencyRecord, status: int, body) -> None:
    """Keep the answer to replay. Called inside the write's own transaction for successes,
    so the answer and what it reports commit together."""
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        response_status=status, response_body=body
    )


def idempotency_record_release(*, record: IdempotencyRecord) -> None:
    """Let go of a key whose request failed on our side, so the partner's retry can run."""
    IdempotencyRecord.objects.filter(pk=record.pk, response_status__isnull=True).delete()


def idempotency_records_forget_old() -> int:
    """Delete records past their retention, in batches so no long lock is held."""
    cutoff = timezone.now() - IDEMPOTENCY_RETENTION
    deleted = 0
    while True:
        batch = list(
            IdempotencyRecord.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[
                :IDEMPOTENCY_DELETE_BATCH_SIZE
            ]
        )
        if not batch:
            return deleted
        deleted += IdempotencyRecord.objects.filter(pk__in=batch).delete()[0]
