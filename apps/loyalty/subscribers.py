from apps.core.events import ALL_EVENTS, subscribe
from apps.core.models import OutboxEvent
from apps.loyalty.services import earning_rules_apply, ledger_merge
from apps.profiles.selectors import profiles_of_merge


@subscribe(ALL_EVENTS)
def credit_earning_rules(event: OutboxEvent) -> None:
    # In the publishing transaction: the next screen already shows the points.
    earning_rules_apply(event=event)


@subscribe("profile.merged")
def merge_points(event: OutboxEvent) -> None:
    source, target = profiles_of_merge(payload=event.payload)
    ledger_merge(source=source, target=target)
