from apps.core.events import ALL_EVENTS, subscribe
from apps.core.models import OutboxEvent
from apps.loyalty.events import TierChanged
from apps.loyalty.services import (
    badges_award_for_tier,
    earning_rules_apply,
    ledger_merge,
)
from apps.profiles.events import ProfileMerged
from apps.profiles.selectors import profiles_of_merge


@subscribe(ALL_EVENTS)
def credit_earning_rules(event: OutboxEvent) -> None:
    # In the publishing transaction: the next screen already shows the points.
    earning_rules_apply(event=event)


@subscribe(ProfileMerged)
def merge_points(event: OutboxEvent) -> None:
    source, target = profiles_of_merge(payload=event.payload)
    ledger_merge(source=source, target=target)


@subscribe(TierChanged)
def award_tier_badges(event: OutboxEvent) -> None:
    badges_award_for_tier(
        profile_public_id=event.payload["profile"], tier_key=event.payload.get("tier")
    )
