"""Figures staff read at a glance, from the rollups alone: the admin start page's headline
and the campaign list's columns. Each reads a fixed number of queries however many days or
campaigns there are; every number is a `Cell`, so small groups stay hidden here too."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q, Sum
from django.utils.translation import gettext

from apps.campaigns.models import Campaign
from apps.core.embedding import COLLECTION_POINT_PREFIX
from apps.insights.models import (
    CampaignDayRollup,
    ConsentDayRollup,
    DeclarationDayRollup,
    ProgramDayRollup,
    RollupRun,
)
from apps.insights.periods import DEFAULT_RANGE_DAYS, site_today
from apps.insights.selectors.campaign import campaign_collection_point
from apps.insights.suppression import Cell, cell, count_cell, share_cell


@dataclass(frozen=True)
class HeadlineFigure:
    key: str
    label: str
    value: Cell
    explanation: str


@dataclass(frozen=True)
class Headline:
    figures: list[HeadlineFigure]
    first: date
    last: date
    refreshed_at: datetime | None


def _sums(queryset, *columns: str) -> dict[str, int]:
    totals = queryset.aggregate(**{column: Sum(column) for column in columns})
    return {column: totals[column] or 0 for column in columns}


def program_headline(*, now: datetime | None = None) -> Headline:
    """The program's key figures for the start page: its size as of the last refresh, and
    what happened over the last 30 stored days (today is not in the rollups yet)."""
    last = site_today(now) - timedelta(days=1)
    first = last - timedelta(days=DEFAULT_RANGE_DAYS - 1)
    in_range = {"day__gte": first, "day__lte": last}
    snapshot = ProgramDayRollup.objects.filter(profiles__isnull=False).order_by("-day").first()
    flows = _sums(ProgramDayRollup.objects.filter(**in_range), "points_earned", "earners")
    plays = _sums(CampaignDayRollup.objects.filter(**in_range), "starts", "completions")
    consent = _sums(
        ConsentDayRollup.objects.filter(**in_range), "grants", "refusals", "withdrawals"
    )
    last_run = RollupRun.objects.filter(finished_at__isnull=False).order_by("-started_at").first()
    decisions = consent["grants"] + consent["refusals"] + consent["withdrawals"]
    figures = [
        HeadlineFigure(
            "profiles",
            gettext("Customers"),
            count_cell(snapshot.profiles if snapshot else 0),
            gettext("Profiles the program knows, members and guests, at the last refresh."),
        ),
        HeadlineFigure(
            "declaring",
            gettext("Customers who told us something"),
            count_cell((snapshot.profiles_declaring or 0) if snapshot else 0),
            gettext("Profiles with at least one preference we may use for its purpose."),
        ),
        HeadlineFigure(
            "plays",
            gettext("Plays, last 30 days"),
            count_cell(plays["starts"]),
            gettext("Campaigns started by customers, by the day they started."),
        ),
        HeadlineFigure(
            "completion",
            gettext("Completion rate, last 30 days"),
            share_cell(plays["completions"], plays["starts"]),
            gettext("Share of those plays that reached the result."),
        ),
        HeadlineFigure(
            "consent",
            gettext("Consent rate, last 30 days"),
            share_cell(consent["grants"], decisions),
            gettext("Yes answers among all consent decisions, wherever they were asked."),
        ),
        HeadlineFigure(
            "points",
            gettext("Points earned, last 30 days"),
            cell(flows["points_earned"], people=flows["earners"]),
            gettext("Points credited for taking part, before any were redeemed."),
        ),
        HeadlineFigure(
            "liability",
            gettext("Outstanding points"),
            cell(
                snapshot.liability if snapshot else None,
                people=(snapshot.accounts or 0) if snapshot else 0,
            ),
            gettext("Points customers hold and may still redeem, at the last refresh."),
        ),
    ]
    return Headline(
        figures=figures,
        first=first,
        last=last,
        refreshed_at=last_run.finished_at if last_run else None,
    )


@dataclass(frozen=True)
class CampaignListFigures:
    plays: Cell
    completion_rate: Cell
    consent_rate: Cell
    declarations: Cell
    points_paid: Cell


def campaign_list_figures(*, campaigns: list[Campaign]) -> dict[int, CampaignListFigures]:
    """Each campaign's figures over all stored days, by campaign id: plays, completion rate,
    consent rate at its end (yes among the decisions taken there), declarations gained and
    points paid. Three queries for any number of campaigns."""
    if not campaigns:
        return {}
    ids = [campaign.pk for campaign in campaigns]
    days = {
        row["campaign_id"]: row
        for row in CampaignDayRollup.objects.filter(campaign_id__in=ids)
        .values("campaign_id")
        .annotate(
            starts=Sum("starts"),
            completions=Sum("completions"),
            points_paid=Sum("points_paid"),
            points_people=Sum("points_people"),
        )
    }
    declarations = dict(
        DeclarationDayRollup.objects.filter(campaign_id__in=ids)
        .values("campaign_id")
        .annotate(n=Sum("declarations"))
        .values_list("campaign_id", "n")
    )
    consent = _consent_by_campaign(campaigns)
    figures = {}
    for pk in ids:
        day = days.get(pk, {})
        decided = consent.get(pk, {})
        decisions = sum(decided.get(key, 0) for key in ("grants", "refusals", "withdrawals"))
        figures[pk] = CampaignListFigures(
            plays=count_cell(day.get("starts", 0)),
            completion_rate=share_cell(day.get("completions", 0), day.get("starts", 0)),
            consent_rate=share_cell(decided.get("grants", 0), decisions),
            declarations=count_cell(declarations.get(pk, 0)),
            points_paid=cell(day.get("points_paid", 0), people=day.get("points_people", 0)),
        )
    return figures


CONSENT_COLUMNS = ("grants", "refusals", "withdrawals")


def _consent_by_campaign(campaigns: list[Campaign]) -> dict[int, dict[str, int]]:
    """Decisions at each campaign's end, on our site and inside brands' frames
    ("embed:<origin>#<slug>"), summed per campaign: one query."""
    points = {campaign_collection_point(campaign): campaign.pk for campaign in campaigns}
    by_slug = {campaign.slug: campaign.pk for campaign in campaigns}
    framed = f"{COLLECTION_POINT_PREFIX}:"
    consent: dict[int, dict[str, int]] = {}
    for row in (
        ConsentDayRollup.objects.filter(
            Q(collection_point__in=points) | Q(collection_point__startswith=framed)
        )
        .values("collection_point")
        .annotate(**{column: Sum(column) for column in CONSENT_COLUMNS})
    ):
        point = row["collection_point"]
        pk = points[point] if point in points else by_slug.get(point.partition("#")[2])
        if pk is None:
            continue
        totals = consent.setdefault(pk, dict.fromkeys(CONSENT_COLUMNS, 0))
        for column in CONSENT_COLUMNS:
            totals[column] += row[column]
    return consent
