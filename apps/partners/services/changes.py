"""The partners' change feed: after a customer's change has committed, one entry for each
partner that may hear of it (apps.partners.outbound decides which)."""

from django.db import transaction

from apps.core.events import subscribe_relayed
from apps.core.models import OutboxEvent
from apps.partners.models import PartnerChange
from apps.partners.outbound import partner_notices


@transaction.atomic
def partner_changes_record(*, event: OutboxEvent) -> list[PartnerChange]:
    """The entries name the change, not its data: the partner reads the resource for that."""
    return PartnerChange.objects.bulk_create(
        PartnerChange(
            partner=notice.partner,
            kind=notice.kind,
            profile_public_id=notice.profile_public_id,
            occurred_at=event.created_at,
        )
        for notice in partner_notices(event=event)
    )


def record_partner_changes(event: OutboxEvent) -> None:
    # The relay runs its handlers and marks the event published in one transaction, so a
    # retried relay cannot write an event's entries twice.
    partner_changes_record(event=event)


for _kind in PartnerChange.Kind.values:
    subscribe_relayed(_kind)(record_partner_changes)
