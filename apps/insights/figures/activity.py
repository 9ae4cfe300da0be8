"""What changed since the last refresh, and since when there is anything to count."""

from datetime import UTC as utc
from datetime import date, datetime, time

from django.db.models import Min, Q

from apps.campaigns.models import Answer, CampaignViews, Participation
from apps.challenges.models import ChallengeProgress
from apps.consent.models import ConsentEvent
from apps.core.models import OutboxEvent
from apps.insights.periods import local_day
from apps.loyalty.events import TierChanged
from apps.loyalty.models import LedgerEntry
from apps.preferences.models import DeclarationHistory


def touched_campaign_days(*, since: datetime) -> set[date]:
    """Start days of plays that changed since `since`: finished, or answered further. Their
    cohort's figures change even when they started long ago."""
    changed = Participation.objects.filter(
        Q(completed_at__gte=since) | Q(started_at__gte=since)
    ).order_by()
    answered = Answer.objects.filter(answered_at__gte=since).order_by()
    days = set(
        changed.annotate(day=local_day("started_at")).values_list("day", flat=True).distinct()
    )
    days |= set(
        answered.annotate(day=local_day("participation__started_at"))
        .values_list("day", flat=True)
        .distinct()
    )
    return days


def earliest_activity() -> datetime | None:
    """The first moment anything the dashboards count happened, for a full refresh."""
    firsts = [
        Participation.objects.order_by().aggregate(first=Min("started_at"))["first"],
        ConsentEvent.objects.order_by().aggregate(first=Min("occurred_at"))["first"],
        LedgerEntry.objects.order_by().aggregate(first=Min("created_at"))["first"],
        DeclarationHistory.objects.order_by().aggregate(first=Min("recorded_at"))["first"],
        ChallengeProgress.objects.order_by().aggregate(first=Min("completed_at"))["first"],
        OutboxEvent.objects.filter(name=TierChanged.name)
        .order_by()
        .aggregate(first=Min("created_at"))["first"],
    ]
    first_view = CampaignViews.objects.order_by().aggregate(first=Min("day"))["first"]
    moments = [moment for moment in firsts if moment is not None]
    if first_view is not None:
        moments.append(datetime.combine(first_view, time.min, tzinfo=utc))
    return min(moments, default=None)
