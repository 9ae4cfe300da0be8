from apps.core.events import ALL_EVENTS, subscribe
from apps.core.models import OutboxEvent
from apps.loyalty.services import earning_rules_apply


@subscribe(ALL_EVENTS)
def credit_earning_rules(event: OutboxEvent) -> None:
    # In the publishing transaction: the next screen already shows the points.
    earning_rules_apply(event=event)
