import logging
import re
import time
from collections import Counter
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import Exists, Max, Min, Model, OuterRef
from django.utils import timezone

from apps.campaigns.models import Answer, Participation, Question
from apps.insights import figures
from apps.insights.figures import FLOW_COLUMNS
from apps.insights.models import (
    CampaignDayRollup,
    ConsentDayRollup,
    DeclarationDayRollup,
    DistributionDayRollup,
    OptionDayTally,
    OutcomeDayRollup,
    ProgramDayRollup,
    QuestionDayRollup,
    RollupRun,
    TalliedPlay,
    ValueDayTally,
    WordDayTally,
)
from apps.insights.periods import each_day, runs_of_days, site_today, site_zone
from apps.profiles.models import counted_profiles

logger = logging.getLogger(__name__)

# Days computed together in one set of queries: bounds the memory of a full refresh.
DAYS_PER_BATCH = 31
TALLY_BATCH_SIZE = 1000
# Words that say nothing about what people think.
STOPWORDS = frozenset(
    [
        "aber",
        "alle",
        "als",
        "also",
        "am",
        "an",
        "auch",
        "auf",
        "aus",
        "bei",
        "bin",
        "bis",
        "das",
        "dass",
        "dem",
        "den",
        "der",
        "des",
        "die",
        "doch",
        "ein",
        "eine",
        "einem",
        "einen",
        "einer",
        "es",
        "für",
        "hat",
        "ich",
        "ihr",
        "ist",
        "ja",
        "kein",
        "mal",
        "man",
        "mehr",
        "mit",
        "nach",
        "nicht",
        "noch",
        "nur",
        "oder",
        "sehr",
        "sich",
        "sie",
        "sind",
        "so",
        "und",
        "uns",
        "von",
        "war",
        "was",
        "wie",
        "wir",
        "zu",
        "zum",
        "zur",
        "and",
        "are",
        "but",
        "for",
        "not",
        "that",
        "the",
        "this",
        "with",
        "you",
        "have",
        "just",
        "very",
    ]
)
WORD = re.compile(r"[^\W\d_]{3,}")
LONGEST_WORD = 40


def text_words(text: str) -> set[str]:
    """The distinct words of a free-text answer, lower-cased, without filler words."""
    return {word.lower()[:LONGEST_WORD] for word in WORD.findall(text)} - STOPWORDS


def _claim(participation_ids: list[int]) -> list[int]:
    """Mark plays as tallied and return those that were not yet: one INSERT that only the
    first of two concurrent callers wins, so no play is ever counted twice."""
    if not participation_ids:
        return []
    table = TalliedPlay._meta.db_table
    rows = ", ".join(["(%s)"] * len(participation_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (participation_id) VALUES {rows} "
            "ON CONFLICT DO NOTHING RETURNING participation_id",
            participation_ids,
        )
        return [pk for (pk,) in cursor.fetchall()]


def _add(model: type[Model], columns: list[str], counts: Counter, *, unique: list[str]) -> None:
    """Add counts to tally rows in one statement, creating the rows that are missing;
    `unique` names the columns of the table's unique constraint."""
    if not counts:
        return
    table = model._meta.db_table
    columns = [*columns, "answers"]
    # In key order, so two completions adding to the same rows lock them in the same order.
    rows = sorted(counts.items())
    for start in range(0, len(rows), TALLY_BATCH_SIZE):
        batch = rows[start : start + TALLY_BATCH_SIZE]
        values = ", ".join([f"({', '.join(['%s'] * len(columns))})"] * len(batch))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values} "
                f"ON CONFLICT ({', '.join(unique)}) "
                f"DO UPDATE SET answers = {table}.answers + excluded.answers",
                [value for row, count in batch for value in (*row, count)],
            )


# Nothing here is caught and retried (`_claim` skips plays counted before): inside the
# completing transaction a savepoint would guard nothing.
@transaction.atomic(savepoint=False)
def answers_tally(*, participation_ids: list[int]) -> int:
    """Count the answers of completed plays into the day tallies, once per play; returns how
    many plays were counted. Campaigns delete answers after the consent step, so this runs
    at completion (see subscribers) and, for plays completed without it, in the sweep."""
    plays = dict(
        Participation.objects.filter(
            counted_profiles(), pk__in=participation_ids, completed_at__isnull=False
        ).values_list("pk", "started_at")
    )
    claimed = _claim(sorted(plays))
    if not claimed:
        return 0
    zone = site_zone()
    start_day = {pk: timezone.localtime(plays[pk], zone).date() for pk in claimed}
    options: Counter = Counter()
    for (
        participation_id,
        campaign_id,
        question_id,
        option_id,
    ) in Answer.options.through.objects.filter(answer__participation_id__in=claimed).values_list(
        "answer__participation_id",
        "answer__question__campaign_id",
        "answer__question_id",
        "option_id",
    ):
        options[(start_day[participation_id], campaign_id, question_id, option_id)] += 1
    values: Counter = Counter()
    words: Counter = Counter()
    for participation_id, campaign_id, question_id, kind, number, text in Answer.objects.filter(
        participation_id__in=claimed
    ).values_list(
        "participation_id",
        "question__campaign_id",
        "question_id",
        "question__kind",
        "number",
        "text",
    ):
        day = start_day[participation_id]
        if number is not None and kind != Question.Kind.TEXT:
            values[(day, campaign_id, question_id, number)] += 1
        if text and kind == Question.Kind.TEXT:
            for word in text_words(text):
                words[(day, campaign_id, question_id, word)] += 1
    _add(
        OptionDayTally,
        ["day", "campaign_id", "question_id", "option_id"],
        options,
        unique=["option_id", "day"],
    )
    _add(
        ValueDayTally,
        ["day", "campaign_id", "question_id", "value"],
        values,
        unique=["question_id", "value", "day"],
    )
    _add(
        WordDayTally,
        ["day", "campaign_id", "question_id", "word"],
        words,
        unique=["question_id", "word", "day"],
    )
    return len(claimed)


def answers_tally_sweep(*, since: datetime | None = None) -> int:
    """Tally completed plays that still have answers and were not counted at completion
    (plays imported or made in bulk, or completed before insights were installed)."""
    pending = (
        Participation.objects.filter(counted_profiles(), completed_at__isnull=False)
        .filter(Exists(Answer.objects.filter(participation_id=OuterRef("pk"))))
        .exclude(Exists(TalliedPlay.objects.filter(participation_id=OuterRef("pk"))))
    )
    scope = Participation.objects.all()
    if since is not None:
        pending = pending.filter(completed_at__gte=since)
        scope = scope.filter(completed_at__gte=since)
    bounds = scope.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return 0
    # Walked in ranges of ids, not with ORDER BY ... LIMIT: PostgreSQL then checks each
    # range's plays through the indexes (milliseconds) instead of scanning towards a limit.
    counted = 0
    for low in range(bounds["low"] - 1, bounds["high"], TALLY_BATCH_SIZE):
        ids = list(
            pending.filter(pk__gt=low, pk__lte=low + TALLY_BATCH_SIZE).values_list("pk", flat=True)
        )
        if ids:
            counted += answers_tally(participation_ids=ids)
    return counted


def _replace_day(model: type[Model], day: date, rows: list[dict]) -> None:
    model.objects.filter(day=day).delete()
    model.objects.bulk_create([model(**row) for row in rows], batch_size=1000)


def _by_day(rows: list[dict]) -> dict[date, list[dict]]:
    grouped: dict[date, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["day"], []).append(row)
    return grouped


def rollups_write_days(*, first: date, last: date) -> int:
    """Recompute the rollups of the days `first` to `last` from the other apps' tables; each
    day is replaced in one transaction, so a reader never sees half a day and running this
    twice leaves the same rows."""
    campaigns = figures.campaign_figures(first=first, last=last)
    tables = {
        CampaignDayRollup: _by_day(campaigns["campaign_days"]),
        QuestionDayRollup: _by_day(campaigns["question_days"]),
        OutcomeDayRollup: _by_day(campaigns["outcome_days"]),
        DeclarationDayRollup: _by_day(campaigns["declaration_days"]),
        ConsentDayRollup: _by_day(figures.consent_figures(first=first, last=last)),
    }
    flows = {row["day"]: row for row in figures.program_flows(first=first, last=last)}
    days = 0
    for day in each_day(first, last):
        with transaction.atomic():
            for model, rows in tables.items():
                _replace_day(model, day, rows.get(day, []))
            flow = flows.get(day) or {"day": day, **dict.fromkeys(FLOW_COLUMNS, 0)}
            # Update, not replace: the day's snapshot columns cannot be recomputed later.
            ProgramDayRollup.objects.update_or_create(
                day=day, defaults={name: flow[name] for name in FLOW_COLUMNS}
            )
        days += 1
    return days


@transaction.atomic
def rollups_write_snapshot(*, now: datetime) -> None:
    """Today's state of the whole program, into today's row and breakdowns."""
    today = site_today(now)
    program, breakdowns = figures.program_snapshot(now=now)
    ProgramDayRollup.objects.update_or_create(day=today, defaults=program)
    _replace_day(DistributionDayRollup, today, [{"day": today, **row} for row in breakdowns])


def _days_to_refresh(*, since: datetime | None, today: date) -> list[date]:
    if since is None:
        first = figures.earliest_activity()
        start = timezone.localtime(first, site_zone()).date() if first else today
        return list(each_day(min(start, today), today))
    days = set(each_day(min(timezone.localtime(since, site_zone()).date(), today), today))
    days |= {day for day in figures.touched_campaign_days(since=since) if day <= today}
    return sorted(days)


def rollups_refresh(*, full: bool = False, now: datetime | None = None) -> RollupRun:
    """Bring the rollups up to date: the days touched since the last run began (plays
    finished or answered since, whatever day they started) plus today, or every day since
    the first activity when `full` or on the first run. Safe to run twice: the second run
    writes the same rows."""
    started = time.monotonic()
    now = now or timezone.now()
    previous = RollupRun.objects.filter(finished_at__isnull=False).order_by("-started_at").first()
    full = full or previous is None
    run = RollupRun.objects.create(started_at=now, full=full)
    since = None if full else previous.started_at
    answers_tally_sweep(since=since)
    days = _days_to_refresh(since=since, today=site_today(now))
    written = sum(
        rollups_write_days(first=first, last=last)
        for first, last in runs_of_days(days, longest=DAYS_PER_BATCH)
    )
    rollups_write_snapshot(now=now)
    run.finished_at = timezone.now()
    run.days = written
    run.seconds = round(time.monotonic() - started, 3)
    run.save(update_fields=["finished_at", "days", "seconds"])
    logger.info("Insights rollups: %s days in %.1f s", written, run.seconds)
    return run
