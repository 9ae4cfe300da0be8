"""How consent decisions are counted."""

from datetime import date

from django.db.models import Count, OuterRef, Subquery

from apps.consent.models import ConsentEvent, Purpose
from apps.insights.figures.common import Row
from apps.insights.periods import day_bounds, local_day
from apps.profiles.models import counted_profiles


def consent_figures(*, first: date, last: date, collection_point: str | None = None) -> list[Row]:
    """Consent decisions per day, purpose and collection point: grants, refusals and
    withdrawals. One query. A "no" stored before refusals had their own action is a
    withdrawal only when the answer before it was a yes (as `ConsentEvent.with_decision`)."""
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
    if collection_point is not None:
        events = events.filter(collection_point=collection_point)
    before = (
        ConsentEvent.objects.filter(
            profile_id=OuterRef("profile_id"),
            purpose_id=OuterRef("purpose_id"),
            id__lt=OuterRef("id"),
        )
        .exclude(action=ConsentEvent.Action.REQUEST)
        .order_by("-id")
        .values("action")[:1]
    )
    rows: dict[tuple, Row] = {}
    for row in (
        events.annotate(day=local_day("occurred_at"), before=Subquery(before))
        .values("day", "purpose_id", "collection_point", "action", "before")
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
        if row["action"] == ConsentEvent.Action.GRANT:
            entry["grants"] += row["events"]
        elif row["action"] == ConsentEvent.Action.WITHDRAW and row["before"] == (
            ConsentEvent.Action.GRANT
        ):
            entry["withdrawals"] += row["events"]
        else:
            entry["refusals"] += row["events"]
    return list(rows.values())
