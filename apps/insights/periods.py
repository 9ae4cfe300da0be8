"""Days as staff see them: calendar days of the site's time zone."""

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models.functions import TruncDate
from django.utils import timezone

# A year of days at most: longer ranges would only make the charts unreadable.
MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 30
# Up to this many days a chart shows each day; beyond, one bar per week.
DAILY_UP_TO_DAYS = 62


def site_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def site_today(now: datetime | None = None) -> date:
    return timezone.localtime(now or timezone.now(), site_zone()).date()


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=site_zone())


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[start of `first`, start of the day after `last`): the moments of those days."""
    return day_start(first), day_start(last + timedelta(days=1))


def local_day(field: str) -> TruncDate:
    """The site-local day of a timestamp column, in SQL."""
    return TruncDate(field, tzinfo=site_zone())


def each_day(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def runs_of_days(days: list[date], *, longest: int) -> Iterator[tuple[date, date]]:
    """Sorted days as (first, last) runs of consecutive days, each at most `longest` long."""
    first = previous = None
    for day in sorted(set(days)):
        if first is None:
            first = previous = day
            continue
        if day == previous + timedelta(days=1) and (day - first).days < longest:
            previous = day
            continue
        yield first, previous
        first = previous = day
    if first is not None:
        yield first, previous


def period_of(day: date, *, weekly: bool) -> date:
    """The day itself, or the Monday of its week."""
    return day - timedelta(days=day.weekday()) if weekly else day


def periods(first: date, last: date) -> tuple[list[date], bool]:
    """The chart periods of a range (days, or weeks for long ranges) and whether weekly."""
    weekly = (last - first).days + 1 > DAILY_UP_TO_DAYS
    seen: list[date] = []
    for day in each_day(first, last):
        period = period_of(day, weekly=weekly)
        if not seen or seen[-1] != period:
            seen.append(period)
    return seen, weekly
