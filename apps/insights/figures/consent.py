"""How consent decisions are counted."""

from datetime import date

from django.db.models import Count, Q

from apps.consent.models import ConsentEvent, Purpose
from apps.insights.figures.common import Row
from apps.insights.periods import day_bounds, local_day
from apps.profiles.models import counted_profiles

_COLUMN = {
    ConsentEvent.Action.GRANT: "grants",
    ConsentEvent.Action.REFUSE: "refusals",
    ConsentEvent.Action.WITHDRAW: "withdrawals",
}


def consent_figures(*, first: date, last: date, collection_points: Q | None = None) -> list[Row]:
    """Consent decisions per day, purpose and collection point: grants, refusals and
    withdrawals. One query. Each event counts as what it decided, read by consent's own rule
    (`ConsentEvent.objects.with_decision()`), so a "no" stored before refusals had their own
    action is told apart exactly as the customer's history tells it."""
    start, end = day_bounds(first, last)
    events = ConsentEvent.objects.filter(
        counted_profiles(),
        # Naming every purpose lets the (purpose, action, time) index find the range directly
        # instead of reading all of it: the difference grows with the table.
        purpose_id__in=Purpose.objects.values("pk"),
        occurred_at__gte=start,
        occurred_at__lt=end,
        action__in=[
            ConsentEvent.Action.GRANT,
            ConsentEvent.Action.REFUSE,
            ConsentEvent.Action.WITHDRAW,
        ],
    ).order_by()
    if collection_points is not None:
        events = events.filter(collection_points)
    rows: dict[tuple, Row] = {}
    for row in (
        events.with_decision()
        .annotate(day=local_day("occurred_at"))
        .values("day", "purpose_id", "collection_point", "decision")
        .annotate(events=Count("id"))
    ):
        key = (row["day"], row["purpose_id"], row["collection_point"])
        entry = rows.setdefault(
            key,
            {
                "day": row["day"],
                "purpose_id": row["purpose_id"],
                "collection_point": row["collection_point"],
                "grants": 0,
                "refusals": 0,
                "withdrawals": 0,
            },
        )
        entry[_COLUMN[row["decision"]]] += row["events"]
    return list(rows.values())
