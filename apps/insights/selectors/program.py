"""The whole program's dashboard."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, Sum
from django.utils.translation import gettext

from apps.challenges.models import Challenge
from apps.consent.selectors import purpose_list_published
from apps.insights import figures
from apps.insights.charts import Chart, Table, bar_chart, column_chart, line_chart
from apps.insights.figures import FLOW_COLUMNS
from apps.insights.models import (
    ConsentDayRollup,
    DistributionDayRollup,
    ProgramDayRollup,
    RollupRun,
    ValueDayTally,
)
from apps.insights.periods import period_of, periods, site_today
from apps.insights.selectors.common import (
    Dashboard,
    includes_today,
    nps_cell,
    nps_questions,
    period_label,
    stored_range,
    sum_rows,
)
from apps.insights.selectors.program_figures import program_key_figures
from apps.insights.suppression import (
    Cell,
    cell,
    count_cell,
    group_cells,
    ratio_cell,
    share_cell,
    within,
)
from apps.loyalty.models import Tier
from apps.personalization.models import ChurnScore


@dataclass
class ProgramDashboard(Dashboard):
    snapshot_day: date | None = None
    refreshed_at: datetime | None = None


DEPTH_LABELS = {"3-5": "3\N{EN DASH}5", "6-10": "6\N{EN DASH}10"}


def program_dashboard(*, first: date, last: date, now: datetime | None = None) -> ProgramDashboard:
    """The whole program over a range of days: profile depth, stale declarations, consent
    rates per purpose and withdrawals over time, outstanding points and redemption rate,
    tiers and moves, challenge completion, NPS over time, churn-risk bands."""
    today = site_today(now)
    stored_first, stored_last = stored_range(first, last, today)
    flow_rows = list(
        ProgramDayRollup.objects.filter(day__gte=stored_first, day__lte=stored_last).values(
            "day", *FLOW_COLUMNS
        )
    )
    snapshot = (
        ProgramDayRollup.objects.filter(day__lte=last, profiles__isnull=False)
        .order_by("-day")
        .first()
    )
    breakdowns: dict[str, dict[str, int]] = defaultdict(dict)
    if snapshot is not None:
        for kind, key, count in DistributionDayRollup.objects.filter(day=snapshot.day).values_list(
            "kind", "key", "count"
        ):
            breakdowns[kind][key] = count
    consent_rows = list(
        ConsentDayRollup.objects.filter(day__gte=stored_first, day__lte=stored_last)
        .values("day", "purpose_id")
        .annotate(grants=Sum("grants"), refusals=Sum("refusals"), withdrawals=Sum("withdrawals"))
    )
    if includes_today(first, last, today):
        flow_rows += figures.program_flows(first=today, last=today)
        consent_rows += figures.consent_figures(first=today, last=today)
    nps_rows = list(
        ValueDayTally.objects.filter(nps_questions(), day__gte=first, day__lte=last)
        .values("day")
        .annotate(
            promoters=Sum("answers", filter=Q(value__gte=9)),
            passives=Sum("answers", filter=Q(value__gte=7, value__lte=8)),
            detractors=Sum("answers", filter=Q(value__lte=6)),
        )
    )
    purposes = list(purpose_list_published())
    tiers = list(Tier.objects.order_by("threshold"))
    challenges = {c.slug: c.title for c in Challenge.objects.order_by("position", "slug")}
    last_run = RollupRun.objects.filter(finished_at__isnull=False).order_by("-started_at").first()

    dashboard = ProgramDashboard(
        first=first,
        last=last,
        snapshot_day=snapshot.day if snapshot else None,
        refreshed_at=last_run.finished_at if last_run else None,
    )
    flows = dict.fromkeys(FLOW_COLUMNS, 0)
    for row in flow_rows:
        for column in FLOW_COLUMNS:
            flows[column] += row[column]
    labels, weekly = periods(first, last)
    names = [period_label(day, weekly) for day in labels]
    nps = {
        "promoters": sum(row["promoters"] or 0 for row in nps_rows),
        "passives": sum(row["passives"] or 0 for row in nps_rows),
        "detractors": sum(row["detractors"] or 0 for row in nps_rows),
    }
    dashboard.key_figures = program_key_figures(snapshot, flows, nps)
    dashboard.add_chart(_depth_chart(breakdowns["depth"]))
    _consent_over_time(
        dashboard, purposes, consent_rows, labels, names, weekly, breakdowns, snapshot
    )
    _points_over_time(dashboard, flow_rows, labels, names, weekly)
    _tiers(dashboard, tiers, breakdowns["tier"], flows, dashboard.key_figures.rows[0][1])
    _challenges(dashboard, challenges, breakdowns)
    _nps(dashboard, nps_rows, labels, names, weekly)
    churn = group_cells(
        {band: breakdowns["churn"].get(band, 0) for band, _label in ChurnScore.Band.choices}
    )
    dashboard.add_chart(
        bar_chart(
            key="churn",
            title=gettext("Churn-risk bands"),
            description=gettext("Customers per churn-risk band, as last computed."),
            rows=[(str(label), churn[band]) for band, label in ChurnScore.Band.choices],
            columns=[gettext("Band"), gettext("Customers")],
        )
    )
    return dashboard


def _depth_chart(depth: dict[str, int]) -> Chart:
    keys = [key for key, _low, _high in figures.DEPTH_BUCKETS] + [figures.DEPTH_TOP]
    cells = group_cells({key: depth.get(key, 0) for key in keys})
    return bar_chart(
        key="depth",
        title=gettext("Profile depth"),
        description=gettext(
            "Profiles by how many attributes they declared (for purposes they agreed to)."
        ),
        rows=[(DEPTH_LABELS.get(key, key), cells[key]) for key in keys],
        columns=[gettext("Declared attributes"), gettext("Profiles")],
    )


def _consent_over_time(
    dashboard, purposes, rows, labels, names, weekly, breakdowns, snapshot
) -> None:
    per_period: dict = defaultdict(lambda: {"grants": 0, "refusals": 0, "withdrawals": 0})
    for row in rows:
        entry = per_period[(row["purpose_id"], period_of(row["day"], weekly=weekly))]
        for column in ("grants", "refusals", "withdrawals"):
            entry[column] += row[column]
    series = []
    for purpose in purposes:
        cells = []
        for day in labels:
            # Only the rates are shown per period: hidden with their numerator or denominator.
            entry = per_period[(purpose.pk, day)]
            decisions = entry["grants"] + entry["refusals"] + entry["withdrawals"]
            cells.append(share_cell(entry["grants"], decisions))
        series.append((purpose.current_version.title, cells))
    dashboard.add_chart(
        line_chart(
            key="consent-rates",
            title=gettext("Consent rate per purpose over time"),
            description=gettext(
                "Share of consent decisions that were a yes, per purpose and %(period)s."
            )
            % {"period": gettext("week") if weekly else gettext("day")},
            labels=names,
            series=series,
            low=0,
            high=100,
            first_column=gettext("Period"),
        )
    )
    withdrawals: dict[date, int] = defaultdict(int)
    for (_purpose, day), entry in per_period.items():
        withdrawals[day] += entry["withdrawals"]
    dashboard.add_chart(
        column_chart(
            key="withdrawals",
            title=gettext("Withdrawals over time"),
            description=gettext("Consents withdrawn after a yes, all purposes together."),
            rows=[
                (name, count_cell(withdrawals[day]))
                for day, name in zip(labels, names, strict=True)
            ],
            columns=[gettext("Period"), gettext("Withdrawals")],
        )
    )
    totals = sum_rows(
        [{"purpose_id": purpose_id, **entry} for (purpose_id, _day), entry in per_period.items()],
        "purpose_id",
        ["grants", "refusals", "withdrawals"],
    )
    profiles = snapshot.profiles if snapshot else 0
    table_rows = []
    for purpose in purposes:
        entry = totals[purpose.pk]
        granted = breakdowns["granted"].get(purpose.key, 0)
        table_rows.append(
            [
                purpose.current_version.title,
                share_cell(granted, profiles),
                count_cell(entry["grants"]),
                count_cell(entry["refusals"]),
                count_cell(entry["withdrawals"]),
                _consent_rate(entry),
            ]
        )
    dashboard.add_table(
        Table(
            "consent",
            gettext("Consent per purpose"),
            [
                gettext("Purpose"),
                gettext("Profiles agreeing now"),
                gettext("Grants"),
                gettext("Refusals"),
                gettext("Withdrawals"),
                gettext("Consent rate"),
            ],
            table_rows,
            description=gettext(
                "Per purpose: profiles agreeing on the last counted day, and the decisions of "
                "the range; the rate is the yeses among all decisions."
            ),
        )
    )


def _consent_rate(entry: dict) -> Cell:
    """Yeses among all decisions: hidden when the grants, refusals or withdrawals it is made
    of are, as the rate beside them would tell the hidden count."""
    decisions = entry["grants"] + entry["refusals"] + entry["withdrawals"]
    return ratio_cell(
        entry["grants"] * 100 / decisions if decisions else None,
        parts=[count_cell(entry[column]) for column in ("grants", "refusals", "withdrawals")],
        percent=True,
    )


def _points_over_time(dashboard, flow_rows, labels, names, weekly) -> None:
    per_period: dict = defaultdict(lambda: dict.fromkeys(FLOW_COLUMNS, 0))
    for row in flow_rows:
        entry = per_period[period_of(row["day"], weekly=weekly)]
        for column in FLOW_COLUMNS:
            entry[column] += row[column]
    chart = column_chart(
        key="points",
        title=gettext("Points earned over time"),
        description=gettext("Points paid by earning rules per %(period)s.")
        % {"period": gettext("week") if weekly else gettext("day")},
        rows=[
            (name, cell(per_period[day]["points_earned"], people=per_period[day]["earners"]))
            for day, name in zip(labels, names, strict=True)
        ],
        columns=[gettext("Period"), gettext("Points earned")],
    )
    chart.table = Table(
        chart.key,
        chart.title,
        [
            gettext("Period"),
            gettext("Points earned"),
            gettext("Points redeemed"),
            gettext("Redemptions"),
        ],
        [
            [name, chart.table.rows[index][1], *_redeemed(per_period[day])]
            for index, (day, name) in enumerate(zip(labels, names, strict=True))
        ],
    )
    dashboard.add_chart(chart)


def _redeemed(period: dict) -> list[Cell]:
    return [
        cell(period["points_redeemed"], people=period["redemptions"]),
        count_cell(period["redemptions"]),
    ]


def _tiers(dashboard, tiers, counts: dict[str, int], flows: dict, profiles: Cell) -> None:
    keys = ["", *[tier.key for tier in tiers]]
    names = {"": gettext("No tier yet"), **{tier.key: tier.name for tier in tiers}}
    cells = group_cells({key: counts.get(key, 0) for key in keys})
    dashboard.add_chart(
        bar_chart(
            key="tiers",
            title=gettext("Tier distribution"),
            description=gettext("Points accounts per tier, as last counted."),
            rows=[(names[key], cells[key]) for key in keys],
            columns=[gettext("Tier"), gettext("Accounts")],
        )
    )
    dashboard.add_table(
        Table(
            "tier-moves",
            gettext("Tier moves"),
            [gettext("Move"), gettext("Moves")],
            [
                [gettext("Up a tier"), within(count_cell(flows["tier_ups"]), profiles)],
                [gettext("Down a tier"), within(count_cell(flows["tier_downs"]), profiles)],
            ],
            description=gettext(
                "Changes of tier in the range (a first tier counts as a move up); one customer "
                "can move more than once."
            ),
        )
    )


def _challenges(dashboard, titles: dict[str, str], breakdowns) -> None:
    joined, completed = breakdowns["challenge_joined"], breakdowns["challenge_completed"]
    rows = []
    for slug, title in titles.items():
        rows.append(
            [
                title,
                count_cell(joined.get(slug, 0)),
                count_cell(completed.get(slug, 0)),
                share_cell(completed.get(slug, 0), joined.get(slug, 0)),
            ]
        )
    dashboard.add_table(
        Table(
            "challenges",
            gettext("Challenge completion"),
            [
                gettext("Challenge"),
                gettext("Joined"),
                gettext("Completed"),
                gettext("Completion rate"),
            ],
            rows,
            description=gettext(
                "Customers who joined each challenge (in any round) and finished it, as last "
                "counted."
            ),
        )
    )


def _nps(dashboard, rows, labels, names, weekly) -> None:
    per_period: dict = defaultdict(lambda: {"promoters": 0, "passives": 0, "detractors": 0})
    for row in rows:
        entry = per_period[period_of(row["day"], weekly=weekly)]
        for column in entry:
            entry[column] += row[column] or 0
    scores, table_rows = [], []
    for day, name in zip(labels, names, strict=True):
        entry = per_period[day]
        scores.append(nps_cell(entry))
        groups = group_cells(entry)
        table_rows.append(
            [
                name,
                groups["promoters"],
                groups["passives"],
                groups["detractors"],
                scores[-1],
            ]
        )
    chart = line_chart(
        key="nps",
        title=gettext("Net Promoter Score over time"),
        description=gettext(
            "Promoters (9-10) minus detractors (0-6), as a share of everyone answering a 0-10 "
            "recommendation question, per %(period)s."
        )
        % {"period": gettext("week") if weekly else gettext("day")},
        labels=names,
        series=[(gettext("Net Promoter Score"), scores)],
        low=-100,
        high=100,
        first_column=gettext("Period"),
    )
    chart.table = Table(
        chart.key,
        chart.title,
        [
            gettext("Period"),
            gettext("Promoters"),
            gettext("Passives"),
            gettext("Detractors"),
            gettext("Net Promoter Score"),
        ],
        table_rows,
    )
    dashboard.add_chart(chart)
