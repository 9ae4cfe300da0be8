"""Partners' part of a data-subject export and erasure (see apps.privacy.registry).

Partners know a customer by the profile's public id and, where linked, by their own customer
id (an identifier, erased with the profile). What was sent to them stays theirs to erase: the
erasure ends with `profile.erased`, which every linked partner receives.
"""

from django.db import transaction

from apps.core.models import OutboxEvent
from apps.core.services import outbox_events_redact
from apps.partners.models import PartnerChange, PartnerClient, WebhookDelivery
from apps.partners.outbound import ALWAYS_TOLD
from apps.profiles.models import Identifier, Profile
from apps.profiles.selectors import profile_and_merged_ids

# What a partner-reported event keeps once its customer is erased: the partner's own
# properties (order numbers, amounts, its idempotency key) may name or describe them.
PARTNER_EVENT_KEPT = ("profile", "partner", "occurred_at")


def _public_ids(profile: Profile) -> list[str]:
    ids = profile_and_merged_ids(profile=profile)
    return [
        str(public_id)
        for public_id in Profile.objects.filter(pk__in=ids).values_list("public_id", flat=True)
    ]


def export(profile: Profile) -> dict:
    links = Identifier.objects.filter(
        profile__in=profile_and_merged_ids(profile=profile), kind=Identifier.Kind.EXTERNAL
    ).order_by("created_at", "pk")
    names = dict(PartnerClient.objects.values_list("key", "name"))
    changes = PartnerChange.objects.filter(
        profile_public_id__in=_public_ids(profile)
    ).select_related("partner")
    return {
        "linked_partners": [
            {
                "partner": names.get(link.namespace, link.namespace),
                "your_customer_id_there": link.value,
                "linked_at": link.created_at,
            }
            for link in links
        ],
        # The partner learns that something changed and reads it, where you allowed it.
        "changes_told": [
            {"partner": change.partner.name, "change": change.kind, "at": change.occurred_at}
            for change in changes.order_by("occurred_at", "pk")
        ],
    }


@transaction.atomic
def erase(profile: Profile) -> dict[str, int]:
    """Change-feed entries and webhook messages about the person go, except withdrawals,
    which partners must still act on (and whose delivery is the acknowledgement the privacy
    officer looks for). Partner-reported events lose the partner's own properties."""
    public_ids = _public_ids(profile)
    changes, _kinds = (
        PartnerChange.objects.filter(profile_public_id__in=public_ids)
        .exclude(kind__in=ALWAYS_TOLD)
        .delete()
    )
    deliveries, _kinds = (
        WebhookDelivery.objects.filter(payload__data__profile__in=public_ids)
        .exclude(event_type__in=ALWAYS_TOLD)
        .delete()
    )
    events = outbox_events_redact(
        events=OutboxEvent.objects.filter(
            payload__profile__in=public_ids, payload__has_key="partner"
        ),
        keep=PARTNER_EVENT_KEPT,
    )
    return {
        "change_feed_entries": changes,
        "webhook_messages": deliveries,
        "partner_events_redacted": events,
    }
