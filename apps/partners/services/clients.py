"""Partner clients, their OAuth credentials, and the customers they link."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.exceptions import ApplicationError
from apps.partners.models import PartnerClient
from apps.profiles.models import Identifier, Profile
from apps.profiles.selectors import profile_by_identifier
from apps.profiles.services import profile_sign_in_as


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
    embed_algorithm: str = PartnerClient.EmbedAlgorithm.EDDSA,
    embed_key: str = "",
) -> tuple[PartnerClient, str]:
    """A partner with its OAuth2 client, and the key its embed tokens are checked with if
    given. Returns the client secret, which is stored only hashed and so can be shown this
    once."""
    from oauth2_provider.generators import generate_client_secret

    from apps.consent.models import Purpose

    secret = generate_client_secret()
    application = oauth_client_create(name=name, client_secret=secret)
    partner = PartnerClient(
        name=name,
        key=key,
        scopes=scopes,
        contact_email=contact_email,
        application=application,
        embed_algorithm=embed_algorithm,
        embed_key=embed_key,
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
