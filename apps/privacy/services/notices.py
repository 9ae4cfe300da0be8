"""Which partners were told of a withdrawal or an erasure, and whether they acknowledged it.

The rule for an acknowledgement is the simplest honest one: one of the partner's webhook
endpoints answered the message about this customer with a 2xx, or the partner confirmed it to
our staff, who record that in the admin. Reading the change feed proves nothing (a partner
may read without acting), so a partner without webhooks must confirm.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from apps.core.models import OutboxEvent
from apps.partners.models import WebhookDelivery
from apps.partners.outbound import partner_notices
from apps.privacy.models import DataRequest, PartnerNotice
from apps.profiles.models import Profile

BATCH_SIZE = 500


def _messages(*, partner_id: int, kind: str, subject: str, purpose_key: str, since) -> QuerySet:
    """The webhook messages that carried one notice to one partner (and their replays)."""
    messages = WebhookDelivery.objects.filter(
        endpoint__partner_id=partner_id,
        event_type=kind,
        payload__data__profile=subject,
        created_at__gte=since,
    )
    if purpose_key:
        messages = messages.filter(payload__data__purpose=purpose_key)
    return messages


@transaction.atomic
def partner_notices_record(*, event: OutboxEvent) -> list[PartnerNotice]:
    """Remember every partner told of this withdrawal or erasure. Runs in the relay after the
    partners' own handlers, so the webhook messages for the event exist already; relaying the
    event again records nothing twice."""
    notices = partner_notices(event=event)
    if not notices:
        return []
    subject = str(event.payload["profile"])
    data_request = None
    if event.name == PartnerNotice.Kind.PROFILE_ERASED:
        data_request = (
            DataRequest.objects.select_related("profile")
            .filter(public_id=event.payload.get("request"))
            .first()
        )
        profile = data_request.profile if data_request else None
    else:
        profile = Profile.objects.filter(public_id=subject).first()
    if profile is None:
        return []
    purpose_key = (
        event.payload.get("purpose", "") if event.name != PartnerNotice.Kind.PROFILE_ERASED else ""
    )
    rows = []
    for notice in notices:
        webhook = _messages(
            partner_id=notice.partner.pk,
            kind=event.name,
            subject=subject,
            purpose_key=purpose_key,
            since=event.created_at,
        ).exists()
        rows.append(
            PartnerNotice(
                partner=notice.partner,
                kind=event.name,
                profile=profile,
                subject_public_id=subject,
                purpose_key=purpose_key or "",
                data_request=data_request,
                event_id=event.pk,
                via=PartnerNotice.Via.WEBHOOK if webhook else PartnerNotice.Via.FEED,
                told_at=event.created_at,
            )
        )
    return PartnerNotice.objects.bulk_create(rows, ignore_conflicts=True)


def partner_notices_acknowledge_delivered(*, batch_size: int = BATCH_SIZE) -> int:
    """Mark notices acknowledged whose webhook message a partner endpoint answered with 2xx,
    at the time it answered. Run every few minutes; returns how many it marked."""
    marked, last_id = 0, 0
    while True:
        waiting = list(
            PartnerNotice.objects.filter(acknowledged_at__isnull=True, pk__gt=last_id).order_by(
                "pk"
            )[:batch_size]
        )
        if not waiting:
            return marked
        for notice in waiting:
            answered_at = (
                _messages(
                    partner_id=notice.partner_id,
                    kind=notice.kind,
                    subject=str(notice.subject_public_id),
                    purpose_key=notice.purpose_key,
                    since=notice.told_at,
                )
                .filter(status=WebhookDelivery.Status.SUCCEEDED)
                .order_by("last_attempt_at")
                .values_list("last_attempt_at", flat=True)
                .first()
            )
            if answered_at is not None:
                marked += PartnerNotice.objects.filter(
                    pk=notice.pk, acknowledged_at__isnull=True
                ).update(
                    acknowledged_at=answered_at,
                    acknowledged_via=PartnerNotice.Acknowledgement.WEBHOOK,
                )
        last_id = waiting[-1].pk


@transaction.atomic
def partner_notices_confirm(
    *, notices: QuerySet[PartnerNotice], staff_user: AbstractBaseUser
) -> int:
    """The partner confirmed to our staff (by mail, on the phone) that it acted on these."""
    return notices.filter(acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(),
        acknowledged_via=PartnerNotice.Acknowledgement.STAFF,
        acknowledged_by=staff_user,
    )
