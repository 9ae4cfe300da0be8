"""How a campaign's figures are counted, per day and campaign."""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Concat, StrIndex, Substr

from apps.campaigns.models import Answer, CampaignViews, Participation, Question
from apps.insights.figures.common import Row, rule_references
from apps.insights.periods import day_bounds, local_day
from apps.loyalty.models import LedgerEntry
from apps.preferences.models import DeclarationHistory, Source
from apps.profiles.models import counted_profiles

PARTICIPATION_MARK = ":participation:"
PARTICIPATION_REF = "participation:"


def _campaign_of_participation(reference) -> Subquery:
    return Subquery(Participation.objects.filter(pk=OuterRef(reference)).values("campaign_id")[:1])


def campaign_figures(
    *, first: date, last: date, campaign_ids: list[int] | None = None
) -> dict[str, list[Row]]:
    """Per day and campaign: views, starts, completions, time to complete, first and
    returning plays, points paid; per question, plays that got past it; per outcome,
    completions; per attribute, declarations gained. Seven queries at most."""
    start, end = day_bounds(first, last)
    # Staff's test customers play like anyone and count nowhere (`counted_profiles`).
    plays = Participation.objects.filter(
        counted_profiles(), started_at__gte=start, started_at__lt=end
    ).order_by()
    if campaign_ids is not None:
        plays = plays.filter(campaign_id__in=campaign_ids)
    days: dict[tuple, Row] = {}

    def day_row(day: date, campaign_id: int) -> Row:
        return days.setdefault(
            (day, campaign_id),
            {
                "day": day,
                "campaign_id": campaign_id,
                "views": 0,
                "starts": 0,
                "completions": 0,
                "completion_seconds": 0,
                "new_participants": 0,
                "returning_participants": 0,
                "points_paid": 0,
                "points_people": 0,
            },
        )

    # A player is returning when they had started any campaign before this play.
    earlier = Participation.objects.filter(
        profile_id=OuterRef("profile_id"), started_at__lt=OuterRef("started_at")
    )
    for row in (
        plays.annotate(day=local_day("started_at"), returning=Exists(earlier))
        .values("day", "campaign_id", "returning")
        .annotate(
            starts=Count("id"),
            completions=Count("id", filter=Q(completed_at__isnull=False)),
            duration=Sum(F("completed_at") - F("started_at")),
        )
    ):
        entry = day_row(row["day"], row["campaign_id"])
        entry["starts"] += row["starts"]
        entry["completions"] += row["completions"]
        if row["duration"] is not None:
            entry["completion_seconds"] += int(_seconds(row["duration"]))
        group = "returning_participants" if row["returning"] else "new_participants"
        entry[group] += row["starts"]

    views = CampaignViews.objects.filter(day__gte=first, day__lte=last)
    if campaign_ids is not None:
        views = views.filter(campaign_id__in=campaign_ids)
    for day, campaign_id, count in views.values_list("day", "campaign_id", "count"):
        day_row(day, campaign_id)["views"] += count

    for row in _points_per_campaign(start, end, campaign_ids):
        entry = day_row(row["day"], row["campaign_id"])
        entry["points_paid"] += row["points"]
        entry["points_people"] += row["people"]

    return {
        "campaign_days": list(days.values()),
        "question_days": _passed_per_question(plays, days),
        "outcome_days": list(
            plays.filter(completed_at__isnull=False, outcome_id__isnull=False)
            .annotate(day=local_day("started_at"))
            .values("day", "campaign_id", "outcome_id")
            .annotate(completions=Count("id"))
        ),
        "declaration_days": _declarations_per_campaign(start, end, campaign_ids),
    }


def _seconds(duration) -> float:
    # SQLite hands the sum back as microseconds when no row was a real interval.
    return duration.total_seconds() if isinstance(duration, timedelta) else duration / 1e6


def _passed_per_question(plays, days: dict[tuple, Row]) -> list[Row]:
    """Plays that got past each question: every completed play, and each unfinished play up
    to the furthest question it answered (a branch that skipped a question passed it too)."""
    furthest = (
        Answer.objects.filter(participation_id=OuterRef("pk"))
        .order_by()
        .values("participation_id")
        .annotate(top=Max("question__position"))
        .values("top")
    )
    unfinished: dict[tuple, list[tuple[int, int]]] = defaultdict(list)
    for row in (
        plays.filter(completed_at__isnull=True)
        .annotate(day=local_day("started_at"), furthest=Subquery(furthest))
        .values("day", "campaign_id", "furthest")
        .annotate(plays=Count("id"))
    ):
        if row["furthest"] is not None:
            unfinished[(row["day"], row["campaign_id"])].append((row["furthest"], row["plays"]))
    campaign_ids = {campaign_id for _day, campaign_id in days}
    questions = defaultdict(list)
    for pk, campaign_id, position in Question.objects.filter(
        campaign_id__in=campaign_ids
    ).values_list("pk", "campaign_id", "position"):
        questions[campaign_id].append((pk, position))
    rows = []
    for (day, campaign_id), entry in days.items():
        for question_id, position in questions[campaign_id]:
            passed = entry["completions"] + sum(
                count for top, count in unfinished[(day, campaign_id)] if top >= position
            )
            if passed:
                rows.append(
                    {
                        "day": day,
                        "campaign_id": campaign_id,
                        "question_id": question_id,
                        "passed": passed,
                    }
                )
    return rows


def _participation_id_in_key():
    """The participation id inside an idempotency key like `rule:3:participation:42:start`."""
    after = StrIndex("idempotency_key", Value(PARTICIPATION_MARK)) + len(PARTICIPATION_MARK)
    rest = Substr("idempotency_key", after)
    digits = Substr(rest, 1, StrIndex(Concat(rest, Value(":")), Value(":")) - 1)
    return Cast(digits, BigIntegerField())


def _points_per_campaign(start: datetime, end: datetime, campaign_ids: list[int] | None):
    """Points the earning rules paid for a campaign's plays (start, answers, completion)."""
    entries = (
        LedgerEntry.objects.filter(
            counted_profiles("account__profile"),
            created_at__gte=start,
            created_at__lt=end,
            kind=LedgerEntry.Kind.EARN,
            source_ref__in=rule_references(),
            idempotency_key__contains=PARTICIPATION_MARK,
        )
        .order_by()
        .alias(participation_id=_participation_id_in_key())
        .annotate(
            day=local_day("created_at"),
            campaign_id=_campaign_of_participation("participation_id"),
        )
        .filter(campaign_id__isnull=False)
    )
    if campaign_ids is not None:
        entries = entries.filter(campaign_id__in=campaign_ids)
    return entries.values("day", "campaign_id").annotate(
        points=Sum("amount"), people=Count("account_id", distinct=True)
    )


def _declarations_per_campaign(
    start: datetime, end: datetime, campaign_ids: list[int] | None
) -> list[Row]:
    """Preferences declared or changed from a campaign's answers (history keeps them even
    when the customer deletes them later)."""
    history = (
        DeclarationHistory.objects.filter(
            counted_profiles(),
            recorded_at__gte=start,
            recorded_at__lt=end,
            source=Source.QUIZ,
            action__in=[DeclarationHistory.Action.DECLARED, DeclarationHistory.Action.CHANGED],
            source_ref__startswith=PARTICIPATION_REF,
        )
        .order_by()
        .alias(
            participation_id=Cast(
                Substr("source_ref", len(PARTICIPATION_REF) + 1), BigIntegerField()
            )
        )
        .annotate(
            day=local_day("recorded_at"),
            campaign_id=_campaign_of_participation("participation_id"),
        )
        .filter(campaign_id__isnull=False)
    )
    if campaign_ids is not None:
        history = history.filter(campaign_id__in=campaign_ids)
    return list(
        history.values("day", "campaign_id", "attribute_id").annotate(declarations=Count("id"))
    )
