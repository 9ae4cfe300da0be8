"""Webhook endpoints a partner manages: URL checks against private networks, signing
secrets, and switching an endpoint off (with an e-mail to the partner when we do it)."""

import base64
import ipaddress
import logging
import secrets
import socket
from datetime import timedelta
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.core.exceptions import ApplicationError
from apps.partners.models import PartnerChange, PartnerClient, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"
PREVIOUS_SECRET_VALIDITY = timedelta(hours=24)
MAX_ENDPOINTS_PER_PARTNER = 20
# NAT64 (RFC 6052) embeds an IPv4 address, so 64:ff9b::7f00:1 reaches 127.0.0.1.
NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")


class WebhookAddressRefused(Exception):
    """The URL's host cannot be resolved, or resolves to an address we do not send to."""


# URL checks ---------------------------------------------------------------------------------


def _address_refused(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.sixtofour is not None:
            # 6to4 (2002::/16) wraps an IPv4 address: 2002:7f00:1:: reaches 127.0.0.1.
            ip = ip.sixtofour
        elif ip in NAT64_PREFIX:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _public_addresses(host: str, port: int) -> list[str]:
    """Every address the host resolves to, all of them public, or WebhookAddressRefused."""
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as error:
            raise WebhookAddressRefused(
                _("The host name of this URL cannot be resolved.")
            ) from error
        addresses = [info[4][0] for info in infos]
    if not addresses:
        raise WebhookAddressRefused(_("The host name of this URL cannot be resolved."))
    # One private answer is enough to refuse: the client may pick any of them.
    if any(_address_refused(address) for address in addresses):
        raise WebhookAddressRefused(
            _(
                "This URL points to a private, loopback or otherwise reserved network "
                "address. Webhooks are sent only to public internet addresses."
            )
        )
    return addresses


def webhook_url_validate(url: str) -> str:
    """A URL we may send to: https (http too in the demo), no credentials, and a host that
    resolves only to public addresses (unless WEBHOOKS_ALLOW_PRIVATE_URLS)."""
    allow_private = settings.WEBHOOKS_ALLOW_PRIVATE_URLS
    url = (url or "").strip()
    schemes = ["http", "https"] if allow_private else ["https"]
    try:
        URLValidator(schemes=schemes)(url)
    except ValidationError:
        message = (
            _("Enter a valid http or https URL.")
            if allow_private
            else _("Enter a valid URL starting with https://.")
        )
        raise ValidationError({"url": [message]}) from None
    if len(url) > WebhookEndpoint._meta.get_field("url").max_length:
        raise ValidationError({"url": [_("This URL is too long.")]})
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise ValidationError({"url": [_("The URL must not contain a user name or password.")]})
    try:
        port = parts.port
    except ValueError:
        # URLValidator lets any five digits through; urlsplit() refuses above 65535.
        raise ValidationError({"url": [_("This URL has no valid port.")]}) from None
    if not allow_private:
        try:
            _public_addresses(parts.hostname, port or 443)
        except WebhookAddressRefused as error:
            raise ValidationError({"url": [str(error)]}) from None
    return url


def _event_types_clean(event_types: object) -> list[str]:
    if not isinstance(event_types, list | tuple) or not event_types:
        raise ValidationError({"event_types": [_("Choose at least one event type.")]})
    unknown = [kind for kind in event_types if kind not in PartnerChange.Kind.values]
    if unknown:
        raise ValidationError(
            {"event_types": [_("Unknown event types: %(kinds)s.") % {"kinds": unknown}]}
        )
    return list(dict.fromkeys(event_types))


# Endpoints ----------------------------------------------------------------------------------


def webhook_secret_generate() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def webhook_endpoint_limit_check(*, partner: PartnerClient) -> None:
    """ApplicationError when the partner has no room for another endpoint. Race-free only
    with the partner row locked, as webhook_endpoint_create() does; forms call it to refuse
    early."""
    if WebhookEndpoint.objects.filter(partner=partner).count() >= MAX_ENDPOINTS_PER_PARTNER:
        raise ApplicationError(
            _("A partner may have at most %(count)d webhook endpoints.")
            % {"count": MAX_ENDPOINTS_PER_PARTNER}
        )


def webhook_endpoint_create(
    *, partner: PartnerClient, url: str, event_types: list[str], description: str = ""
) -> WebhookEndpoint:
    """A new endpoint with a fresh signing secret, which the caller shows this once."""
    # Resolving the host may take a moment; no transaction waits for it.
    url = webhook_url_validate(url)
    event_types = _event_types_clean(event_types)
    with transaction.atomic():
        PartnerClient.objects.select_for_update().filter(pk=partner.pk).first()
        webhook_endpoint_limit_check(partner=partner)
        endpoint = WebhookEndpoint(
            partner=partner,
            url=url,
            event_types=event_types,
            description=description,
            secret=webhook_secret_generate(),
        )
        endpoint.save()
    return endpoint


def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    event_types: list[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> WebhookEndpoint:
    """Change what the partner may change. Switching an endpoint back on forgets why it was
    off and how long it had failed; switching it off gives up its waiting deliveries."""
    changes: dict = {}
    if url is not None:
        changes["url"] = webhook_url_validate(url)
    if event_types is not None:
        changes["event_types"] = _event_types_clean(event_types)
    if description is not None:
        changes["description"] = description
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        for name, value in changes.items():
            setattr(endpoint, name, value)
        fields = [*changes, "updated_at"]
        if is_active is True and not endpoint.is_active:
            endpoint.is_active = True
            endpoint.disabled_reason = ""
            endpoint.failing_since = None
            fields += ["is_active", "disabled_reason", "failing_since"]
        endpoint.save(update_fields=fields)
        if is_active is False and endpoint.is_active:
            _endpoint_disable(endpoint, reason=_("Switched off by the partner."), notify=False)
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


@transaction.atomic
def webhook_secret_rotate(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new signing secret; the one it replaces signs along with it for 24 hours, so the
    partner can switch its receivers over without rejecting a message."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = timezone.now() + PREVIOUS_SECRET_VALIDITY
    endpoint.secret = webhook_secret_generate()
    endpoint.save(
        update_fields=["secret", "previous_secret", "previous_secret_until", "updated_at"]
    )
    return endpoint


def _endpoint_disable(endpoint: WebhookEndpoint, *, reason: str, notify: bool = True) -> None:
    """Inside the caller's transaction, with the endpoint row locked."""
    endpoint.is_active = False
    endpoint.disabled_reason = reason[:200]
    endpoint.save(update_fields=["is_active", "disabled_reason", "updated_at"])
    WebhookDelivery.objects.filter(endpoint=endpoint, status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.FAILED,
        next_attempt_at=None,
        last_error=_("The endpoint was disabled."),
    )
    if notify:
        transaction.on_commit(partial(_mail_endpoint_disabled, endpoint.pk))


def _mail_endpoint_disabled(endpoint_id: int) -> None:
    endpoint = WebhookEndpoint.objects.select_related("partner").filter(pk=endpoint_id).first()
    if endpoint is None or not endpoint.partner.contact_email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your webhook endpoint was disabled")
        body = _(
            "We stopped sending webhooks to %(url)s.\n\nReason: %(reason)s\n\n"
            "Fix the receiver, then switch the endpoint on again (PATCH is_active=true) and "
            "replay the deliveries you missed."
        ) % {"url": endpoint.url, "reason": endpoint.disabled_reason}
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [endpoint.partner.contact_email])
    except OSError:
        logger.exception("Could not tell partner %s its endpoint is off.", endpoint.partner_id)
