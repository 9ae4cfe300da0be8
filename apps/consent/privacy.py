"""Consent's part of a data-subject export and erasure (see apps.privacy.registry)."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from apps.consent.collection_points import collection_points_name
from apps.consent.events import ConsentDoubleOptInRequested
from apps.consent.models import ConsentEvent, ConsentState
from apps.consent.receipts import receipt_build, receipt_sign
from apps.consent.selectors import consent_event_list
from apps.core.models import OutboxEvent
from apps.core.services import outbox_events_redact
from apps.profiles.models import Profile
from apps.profiles.selectors import profile_and_merged_ids


def _event(event: ConsentEvent) -> dict:
    version = event.purpose_version
    receipt = receipt_build(event=event, site_url=settings.SITE_URL)
    with translation.override(event.language or None):
        wording = {"title": version.title, "summary": version.summary, "text": version.text}
    return {
        "receipt_id": event.receipt_id,
        "action": event.action,
        "decision": event.decided,
        "trigger": event.trigger,
        "occurred_at": event.occurred_at,
        "purpose": event.purpose.key,
        "purpose_version": version.version,
        "channel": event.channel,
        "collection_point": event.collection_point,
        "collection_point_label": event.collection_point_label,
        "language": event.language,
        # The wording exactly as shown, in the language it was shown in.
        "wording": wording,
        "evidence": {
            "ip_address_hmac": event.ip_hmac,
            "user_agent_hmac": event.user_agent_hmac,
            "global_privacy_control": event.gpc_signal,
        },
        "receipt": {
            "url": settings.SITE_URL
            + reverse("consent:receipt-json", kwargs={"receipt_id": event.receipt_id}),
            "jws": receipt_sign(receipt),
        },
    }


def export(profile: Profile) -> dict:
    states = ConsentState.objects.filter(profile=profile).select_related("purpose", "version")
    events = (
        consent_event_list(profile=profile).select_related("profile").order_by("occurred_at", "pk")
    )
    return {
        "choices": [
            {
                "purpose": state.purpose.key,
                "status": state.status,
                "purpose_version": state.version.version,
                "since": state.updated_at,
            }
            for state in states.order_by("purpose__position", "purpose__key")
        ],
        "events": [_event(event) for event in collection_points_name(events)],
    }


@transaction.atomic
def erase(profile: Profile) -> dict[str, int]:
    """Current choices go; every consent event stays as proof of what was agreed and refused
    (Art. 7(1) GDPR), pointing at the tombstone once the identity is gone. The address a
    double opt-in link was sent to leaves the recorded event."""
    ids = profile_and_merged_ids(profile=profile)
    requests = ConsentEvent.objects.filter(profile__in=ids, action=ConsentEvent.Action.REQUEST)
    receipt_ids = [str(receipt_id) for receipt_id in requests.values_list("receipt_id", flat=True)]
    redacted = outbox_events_redact(
        events=OutboxEvent.objects.filter(
            name=ConsentDoubleOptInRequested.name, payload__receipt_id__in=receipt_ids
        ),
        drop=["email"],
    )
    choices, _kinds = ConsentState.objects.filter(profile__in=ids).delete()
    return {
        "choices": choices,
        "events_kept": ConsentEvent.objects.filter(profile__in=ids).count(),
        "addresses_removed_from_events": redacted,
    }
