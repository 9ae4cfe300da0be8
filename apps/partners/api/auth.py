"""Who is calling: a partner's OAuth2 bearer token, checked in one indexed query."""

import hashlib
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from oauth2_provider.models import AccessToken
from oauth2_provider.scopes import BaseScopes
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from apps.partners.models import PartnerClient, Scope


class PartnerScopes(BaseScopes):
    """A token may ask only for scopes its partner was given."""

    def get_all_scopes(self) -> dict[str, str]:
        return {value: str(label) for value, label in Scope.choices}

    def get_available_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:
        partner = PartnerClient.objects.filter(application=application, is_active=True).first()
        return list(partner.scopes) if partner else []

    def get_default_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:
        return self.get_available_scopes(application, request)


@dataclass(frozen=True)
class PartnerCredentials:
    partner: PartnerClient
    scopes: frozenset[str]
    token_id: int


class InvalidToken(exceptions.AuthenticationFailed):
    default_detail = _("The access token is invalid or has expired.")
    default_code = "invalid_token"


class PartnerTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>` from `/api/oauth/token/`. Tokens are stored only as a
    SHA-256 checksum, so the lookup hashes what the partner sends."""

    def authenticate(self, request) -> tuple[PartnerClient, PartnerCredentials] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise InvalidToken()
        checksum = hashlib.sha256(parts[1]).hexdigest()
        token = (
            AccessToken.objects.select_related("application__partner")
            .filter(token_checksum=checksum)
            .first()
        )
        partner = getattr(token and token.application, "partner", None)
        if token is None or token.expires <= timezone.now() or partner is None:
            raise InvalidToken()
        if not partner.is_active:
            raise InvalidToken()
        # Scopes taken from the partner since the token was issued no longer count.
        scopes = frozenset(token.scope.split()) & frozenset(partner.scopes)
        return partner, PartnerCredentials(partner=partner, scopes=scopes, token_id=token.pk)

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="resonanz"'


class InsufficientScope(exceptions.PermissionDenied):
    default_detail = _("The access token lacks the scope this request needs.")
    default_code = "insufficient_scope"


class HasPartnerScope(BasePermission):
    """Each view names the scope per HTTP method in `required_scopes`."""

    def has_permission(self, request, view) -> bool:
        credentials = request.auth
        if not isinstance(credentials, PartnerCredentials):
            raise exceptions.NotAuthenticated()
        required = getattr(view, "required_scopes", {}).get(request.method)
        if required is None and request.method in ("HEAD", "OPTIONS"):
            required = view.required_scopes.get("GET")
        if required is None or required not in credentials.scopes:
            raise InsufficientScope(
                _("This request needs the scope %(scope)s.") % {"scope": required or "?"}
            )
        return True


class PartnerTokenScheme(OpenApiAuthenticationExtension):
    """Describes the bearer token in the schema, with the scope each operation needs."""

    target_class = PartnerTokenAuthentication
    name = "partnerToken"

    def get_security_definition(self, auto_schema):
        # Defined once, with its flows, in SPECTACULAR_SETTINGS["APPEND_COMPONENTS"].
        return {}

    def get_security_requirement(self, auto_schema):
        scopes = getattr(auto_schema.view, "required_scopes", {})
        scope = scopes.get(auto_schema.method.upper())
        return {self.name: [scope] if scope else []}
