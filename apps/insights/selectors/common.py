"""What every dashboard shares: its shape, the range it reads, and NPS arithmetic."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext

from apps.campaigns.models import Question
from apps.insights.charts import Chart, Table
from apps.insights.suppression import MINIMUM_GROUP, Cell, cell

NPS_SCALE = (0, 10)


def nps_questions() -> Q:
    """Net Promoter Score questions: scale questions from 0 to 10."""
    return Q(
        question__kind=Question.Kind.SCALE,
        question__scale_min=NPS_SCALE[0],
        question__scale_max=NPS_SCALE[1],
    )


def is_nps_question(question: Question) -> bool:
    return (
        question.kind == Question.Kind.SCALE
        and (question.scale_min, question.scale_max) == NPS_SCALE
    )


def nps_groups(counts: dict[int, int]) -> dict[str, int]:
    """0-10 answers as promoters (9-10), passives (7-8) and detractors (0-6)."""
    groups = {"promoters": 0, "passives": 0, "detractors": 0}
    for value, count in counts.items():
        group = "promoters" if value >= 9 else "passives" if value >= 7 else "detractors"
        groups[group] += count
    return groups


def nps_score(promoters: int, passives: int, detractors: int) -> float | None:
    respondents = promoters + passives + detractors
    if not respondents:
        return None
    return (promoters - detractors) * 100 / respondents


def nps_cell(groups: dict[str, int]) -> Cell:
    """The score as a cell. Beside the number of respondents it would give a small group
    away, so it is hidden whenever one group has fewer than five people (but some)."""
    small = any(0 < count < MINIMUM_GROUP for count in groups.values())
    return cell(nps_score(**groups), people=0 if small else sum(groups.values()))


@dataclass
class Dashboard:
    first: date
    last: date
    key_figures: Table | None = None
    charts: dict[str, Chart] = field(default_factory=dict)
    tables_only: dict[str, Table] = field(default_factory=dict)

    def tables(self) -> dict[str, Table]:
        """Every table on the page by its key, the charts' data tables included: each has a
        CSV download."""
        return {
            **({self.key_figures.key: self.key_figures} if self.key_figures else {}),
            **{chart.table.key: chart.table for chart in self.charts.values()},
            **self.tables_only,
        }

    def add_chart(self, chart: Chart) -> Chart:
        self.charts[chart.key] = chart
        return chart

    def add_table(self, table: Table) -> Table:
        self.tables_only[table.key] = table
        return table


def stored_range(first: date, last: date, today: date) -> tuple[date, date]:
    """The days read from rollups: today and later are counted live instead."""
    return first, min(last, today - timedelta(days=1))


def includes_today(first: date, last: date, today: date) -> bool:
    return first <= today <= last


def period_label(day: date, weekly: bool) -> str:
    label = formats.date_format(day, "SHORT_DATE_FORMAT")
    return gettext("week of %(date)s") % {"date": label} if weekly else label


def sum_rows(rows: Iterable[dict], key: str, columns: list[str]) -> dict:
    totals: dict = defaultdict(lambda: dict.fromkeys(columns, 0))
    for row in rows:
        entry = totals[row[key]]
        for column in columns:
            entry[column] += row[column] or 0
    return totals
