"""What a partner may see: its own customers, and of them only what they allowed."""

import uuid

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from apps.consent.models import ConsentState
from apps.consent.selectors import (
    consent_granted_exists,
    consent_state_list,
    consent_state_list_granted,
)
from apps.core.process_cache import ProcessCache
from apps.partners.models import EmbedOrigin, PartnerClient, WebhookDelivery, WebhookEndpoint
from apps.profiles.models import Identifier, Profile

SHARING_PURPOSE = "partner_sharing"
# Read on every framed request; renewed by the services that change origins or partners.
EMBED_ORIGINS: ProcessCache[frozenset[str]] = ProcessCache("partners.embed-origins", max_age=300)


def _embed_origins_load() -> frozenset[str]:
    return frozenset(
        EmbedOrigin.objects.filter(partner__is_active=True).values_list("origin", flat=True)
    )


def embed_origins_allowed() -> frozenset[str]:
    """Every site an active partner allows to frame our pages, kept per process."""
    return EMBED_ORIGINS.get(_embed_origins_load)


def partner_linked_profiles(*, partner: PartnerClient) -> QuerySet[Profile]:
    """Customers the partner knows by its own customer id; from the moment a customer's
    erasure begins, the partner no longer reaches them. Never a staff user's test customer."""
    return Profile.objects.counted().filter(
        Exists(
            Identifier.objects.filter(
                profile=OuterRef("pk"), kind=Identifier.Kind.EXTERNAL, namespace=partner.key
            )
        ),
        merged_into__isnull=True,
        erased_at__isnull=True,
    )


def partner_visible_profiles(*, partner: PartnerClient) -> QuerySet[Profile]:
    """Linked customers who currently allow sharing with partners: the partner's whole view.
    A withdrawal takes a customer out of it on the next request."""
    sharing = consent_granted_exists(purpose_key=SHARING_PURPOSE)
    return partner_linked_profiles(partner=partner).filter(sharing)


def partner_profile_get(*, partner: PartnerClient, public_id: uuid.UUID | str) -> Profile | None:
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return partner_visible_profiles(partner=partner).filter(public_id=public_id).first()


def partner_readable_purposes(*, partner: PartnerClient, profile: Profile) -> dict[int, str]:
    """Purposes whose data this partner may read for this customer now: allowed for the
    partner and granted by the customer, with sharing with partners granted too. One query:
    every read of the partner API asks."""
    allowed = PartnerClient.allowed_purposes.through.objects.filter(
        partnerclient_id=partner.pk, purpose_id=OuterRef("purpose_id")
    )
    granted = list(
        consent_state_list_granted(profile=profile).values_list(
            "purpose_id", "purpose__key", Exists(allowed)
        )
    )
    if not any(key == SHARING_PURPOSE for _pk, key, _allowed in granted):
        return {}
    return {pk: key for pk, key, is_allowed in granted if is_allowed}


def webhook_endpoint_list(*, partner: PartnerClient) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(partner=partner).order_by("created_at", "pk")


def webhook_endpoint_get(
    *, partner: PartnerClient, public_id: uuid.UUID | str
) -> WebhookEndpoint | None:
    return webhook_endpoint_list(partner=partner).filter(public_id=public_id).first()


def webhook_delivery_list(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint=endpoint)


def webhook_delivery_get(
    *, partner: PartnerClient, public_id: uuid.UUID | str
) -> WebhookDelivery | None:
    return (
        WebhookDelivery.objects.select_related("endpoint__partner")
        .filter(endpoint__partner=partner, public_id=public_id)
        .first()
    )


def partner_redemption_exists(*, partner: PartnerClient, redemption_id: int) -> bool:
    """A redemption this partner made, for a customer it still sees. Redemptions made on the
    site or by another partner are not its to cancel."""
    from apps.loyalty.models import Redemption

    return Redemption.objects.filter(
        pk=redemption_id,
        debit__idempotency_key__startswith=f"redeem:partner:{partner.key}:",
        account__profile__in=partner_visible_profiles(partner=partner),
    ).exists()


def partner_consent_states(*, partner: PartnerClient, profile: Profile) -> list[ConsentState]:
    """The customer's decisions on the purposes this partner is allowed, nothing else."""
    return list(
        consent_state_list(profile=profile, purposes=partner.allowed_purposes.all())
        .select_related("purpose", "version")
        .order_by("purpose__key")
    )


def partner_ledger_entries(*, profile: Profile) -> QuerySet:
    """The customer's points in and out, for cursor pages."""
    from apps.loyalty.models import LedgerEntry

    return LedgerEntry.objects.filter(account__profile=profile)


def webhook_endpoint_list_failing() -> QuerySet[WebhookEndpoint]:
    """Endpoints whose deliveries keep failing, or that were switched off for it, longest
    failing first."""
    return (
        WebhookEndpoint.objects.filter(
            Q(failing_since__isnull=False) | Q(is_active=False) & ~Q(disabled_reason="")
        )
        .select_related("partner")
        .order_by(F("failing_since").asc(nulls_first=True), "pk")
    )
