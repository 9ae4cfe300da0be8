"""Charts as server-rendered SVG, each with the table of its data.

A chart is an image to screen readers (`role="img"` with a <title> and a <desc> that says
what it shows and how many values are hidden); its table, inside a <details> element, opens
without JavaScript. Every value arrives as a `Cell`, so hidden figures draw no bar."""

import math
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from apps.insights.suppression import Cell, hidden_text

WIDTH = 640
# Colours also come from the stylesheet; these keep a chart readable without it.
BAR_FILL = "#417690"
HIDDEN_FILL = "#d0d7de"
SERIES = [
    ("#417690", ""),
    ("#c2410c", "6 4"),
    ("#15803d", "2 3"),
    ("#7c3aed", "10 3 2 3"),
    ("#b91c1c", "1 5"),
    ("#0f766e", "8 8"),
]


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    # One line under the title: what the table counts.
    description: str = ""
    # One line per row on what its figure counts: under the row's label on the page, a last
    # column (`notes_column`) in the CSV.
    notes: list[str] = field(default_factory=list)
    notes_column: str = ""

    def csv_rows(self) -> list[list[str]]:
        columns = [str(column) for column in self.columns]
        rows = [[str(value) for value in row] for row in self.rows]
        if self.notes:
            columns.append(str(self.notes_column))
            rows = [[*row, str(note)] for row, note in zip(rows, self.notes, strict=True)]
        return [columns, *rows]

    def body_html(self) -> SafeString:
        """The rows as <tr> elements: built here rather than cell by cell in a template, as a
        year of days makes thousands of cells."""
        rows = []
        notes = self.notes or [""] * len(self.rows)
        for (label, *values), note in zip(self.rows, notes, strict=True):
            if note:
                label = format_html('{}<span class="insights-table__note">{}</span>', label, note)
            cells = "".join(
                '<td class="insights-hidden">' + escape(value) + "</td>"
                if getattr(value, "hidden", False)
                else "<td>" + escape(value) + "</td>"
                for value in values
            )
            rows.append(
                '<tr><th scope="row">' + conditional_escape(label) + "</th>" + cells + "</tr>"
            )
        return mark_safe("".join(rows))


@dataclass
class Chart:
    key: str
    title: str
    description: str
    svg: SafeString
    table: Table


def _hidden_note(cells: list[Cell]) -> str:
    hidden = sum(1 for cell in cells if cell.hidden)
    if not hidden:
        return ""
    return " " + ngettext(
        "%(count)s value is not shown because it stands for fewer than 5 people.",
        "%(count)s values are not shown because they stand for fewer than 5 people.",
        hidden,
    ) % {"count": hidden}


def _svg(key: str, title: str, description: str, height: int, body: list[str]) -> SafeString:
    ids = f"chart-{key}-title chart-{key}-desc"
    return mark_safe(
        f'<svg class="insights-chart__svg" role="img" aria-labelledby="{escape(ids)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="chart-{escape(key)}-title">{escape(title)}</title>'
        f'<desc id="chart-{escape(key)}-desc">{escape(description)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _text(x: float, y: float, text: str, *, css: str, anchor: str = "start") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" class="{css}" text-anchor="{anchor}" '
        f'dominant-baseline="middle" font-size="12" fill="#333">{escape(text)}</text>'
    )


def _short(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "\N{HORIZONTAL ELLIPSIS}"


def bar_chart(
    *, key: str, title: str, description: str, rows: list[tuple[str, Cell]], columns: list[str]
) -> Chart:
    """Horizontal bars, one per row: funnels and distributions."""
    row_height, label_right, bar_left, bar_room = 28, 230, 240, 300
    top = max((cell.value for _label, cell in rows if not cell.hidden), default=0) or 1
    body = []
    for index, (label, cell) in enumerate(rows):
        y = 6 + index * row_height
        middle = y + row_height / 2
        body.append(
            _text(label_right, middle, _short(label), css="insights-chart__label", anchor="end")
        )
        if cell.hidden:
            body.append(
                f'<rect x="{bar_left}" y="{y + 6}" width="20" height="{row_height - 12}" '
                f'class="insights-chart__bar insights-chart__bar--hidden" fill="{HIDDEN_FILL}"/>'
            )
            body.append(_text(bar_left + 28, middle, hidden_text(), css="insights-chart__hidden"))
            continue
        width = max(1.0, cell.value / top * bar_room) if cell.value > 0 else 0
        body.append(
            f'<rect x="{bar_left}" y="{y + 5}" width="{width:.1f}" height="{row_height - 10}" '
            f'class="insights-chart__bar" fill="{BAR_FILL}"/>'
        )
        body.append(_text(bar_left + width + 6, middle, cell.text, css="insights-chart__value"))
    cells = [cell for _label, cell in rows]
    description = description + _hidden_note(cells)
    height = 12 + row_height * max(1, len(rows))
    table = Table(key, title, columns, [[label, cell] for label, cell in rows])
    return Chart(key, title, description, _svg(key, title, description, height, body), table)


def _axis_labels(labels: list[str], left: float, slot: float, y: float) -> list[str]:
    step = max(1, math.ceil(len(labels) / 8))
    return [
        _text(left + slot * (index + 0.5), y, label, css="insights-chart__tick", anchor="middle")
        for index, label in enumerate(labels)
        if index % step == 0
    ]


def column_chart(
    *, key: str, title: str, description: str, rows: list[tuple[str, Cell]], columns: list[str]
) -> Chart:
    """Vertical bars over time, one per day or week."""
    height, left, right, top_margin, bottom = 220, 56, 12, 14, 30
    plot_height = height - top_margin - bottom
    slot = (WIDTH - left - right) / max(1, len(rows))
    top = max((cell.value for _label, cell in rows if not cell.hidden), default=0) or 1
    base = top_margin + plot_height
    body = [
        f'<line x1="{left}" y1="{base}" x2="{WIDTH - right}" y2="{base}" stroke="#999"/>',
        _text(left - 6, top_margin, _number(top), css="insights-chart__tick", anchor="end"),
        _text(left - 6, base, "0", css="insights-chart__tick", anchor="end"),
    ]
    for index, (_label, cell) in enumerate(rows):
        x = left + slot * index + slot * 0.15
        width = max(1.0, slot * 0.7)
        if cell.hidden:
            body.append(
                f'<rect x="{x:.1f}" y="{base - 3}" width="{width:.1f}" height="3" '
                f'class="insights-chart__bar insights-chart__bar--hidden" fill="{HIDDEN_FILL}"/>'
            )
            continue
        bar = max(0.0, cell.value / top * plot_height)
        body.append(
            f'<rect x="{x:.1f}" y="{base - bar:.1f}" width="{width:.1f}" height="{bar:.1f}" '
            f'class="insights-chart__bar" fill="{BAR_FILL}"/>'
        )
    body += _axis_labels([label for label, _cell in rows], left, slot, height - bottom / 2)
    cells = [cell for _label, cell in rows]
    description = description + _hidden_note(cells)
    table = Table(key, title, columns, [[label, cell] for label, cell in rows])
    return Chart(key, title, description, _svg(key, title, description, height, body), table)


def line_chart(
    *,
    key: str,
    title: str,
    description: str,
    labels: list[str],
    series: list[tuple[str, list[Cell]]],
    low: float,
    high: float,
    first_column: str,
) -> Chart:
    """Lines over time, one per series (e.g. a purpose); a hidden value breaks its line."""
    legend_height = 22 * math.ceil(len(series) / 3)
    height, left, right, bottom = 240 + legend_height, 56, 12, 30
    top_margin = 14 + legend_height
    plot_height = height - top_margin - bottom
    slot = (WIDTH - left - right) / max(1, len(labels))

    def y_of(value: float) -> float:
        return top_margin + plot_height * (high - value) / ((high - low) or 1)

    body = [
        f'<line x1="{left}" y1="{y_of(low):.1f}" x2="{WIDTH - right}" y2="{y_of(low):.1f}" '
        'stroke="#999"/>',
        _text(left - 6, y_of(high), _number(high), css="insights-chart__tick", anchor="end"),
        _text(left - 6, y_of(low), _number(low), css="insights-chart__tick", anchor="end"),
    ]
    if low < 0 < high:
        body.append(
            f'<line x1="{left}" y1="{y_of(0):.1f}" x2="{WIDTH - right}" y2="{y_of(0):.1f}" '
            'stroke="#ccc" stroke-dasharray="2 2"/>'
        )
    for number, (name, cells) in enumerate(series):
        colour, dashes = SERIES[number % len(SERIES)]
        legend_x = 12 + (number % 3) * 205
        legend_y = 10 + 22 * (number // 3)
        body.append(
            f'<line x1="{legend_x}" y1="{legend_y}" x2="{legend_x + 24}" y2="{legend_y}" '
            f'stroke="{colour}" stroke-width="3" stroke-dasharray="{dashes}"/>'
        )
        body.append(_text(legend_x + 30, legend_y, _short(name, 26), css="insights-chart__label"))
        segment: list[tuple[float, float]] = []
        for index, cell in enumerate([*cells, None]):
            if cell is None or cell.hidden:
                body += _segment(segment, colour, dashes)
                segment = []
                continue
            segment.append((left + slot * (index + 0.5), y_of(cell.value)))
    body += _axis_labels(labels, left, slot, height - bottom / 2)
    all_cells = [cell for _name, cells in series for cell in cells]
    description = description + _hidden_note(all_cells)
    table = Table(
        key,
        title,
        [first_column, *[name for name, _cells in series]],
        [[label, *[cells[index] for _name, cells in series]] for index, label in enumerate(labels)],
    )
    return Chart(key, title, description, _svg(key, title, description, height, body), table)


def _segment(points: list[tuple[float, float]], colour: str, dashes: str) -> list[str]:
    """A run of shown values: a line, or a dot when it is a single value."""
    if len(points) == 1:
        x, y = points[0]
        return [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>']
    if not points:
        return []
    coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return [
        f'<polyline points="{coordinates}" fill="none" stroke="{colour}" stroke-width="2" '
        f'stroke-dasharray="{dashes}" class="insights-chart__line"/>'
    ]


def _number(value: float) -> str:
    return formats.number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True)


def empty_description() -> str:
    return gettext("No data in this range.")
