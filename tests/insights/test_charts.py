import re

import pytest

from apps.insights.charts import bar_chart, column_chart, line_chart
from apps.insights.suppression import count_cell

pytestmark = pytest.mark.usefixtures("english")


def test_a_chart_is_an_image_with_a_title_and_a_description():
    chart = bar_chart(
        key="demo",
        title="Answers <per> option",
        description="Answers of completed plays.",
        rows=[("Yes", count_cell(12)), ("No", count_cell(2))],
        columns=["Answer", "Answers"],
    )

    svg = str(chart.svg)
    assert 'role="img"' in svg
    assert 'aria-labelledby="chart-demo-title chart-demo-desc"' in svg
    assert '<title id="chart-demo-title">Answers &lt;per&gt; option</title>' in svg
    assert "1 value is not shown because it stands for fewer than 5 people." in svg
    assert "<script" not in svg
    assert "style=" not in svg


def test_a_hidden_value_draws_no_bar_of_its_size():
    chart = bar_chart(
        key="demo",
        title="t",
        description="d",
        rows=[("Yes", count_cell(12)), ("No", count_cell(2))],
        columns=["Answer", "Answers"],
    )

    bars = re.findall(r'<rect [^>]*class="insights-chart__bar"', str(chart.svg))
    placeholders = re.findall(r"insights-chart__bar--hidden", str(chart.svg))
    assert len(bars) == 1
    assert len(placeholders) == 1
    assert ">2<" not in str(chart.svg)
    assert [str(value) for _label, value in chart.table.rows] == ["12", "fewer than 5"]


def test_column_and_line_charts_keep_their_data_table():
    columns = column_chart(
        key="starts",
        title="Starts",
        description="Per day.",
        rows=[("1 May", count_cell(9)), ("2 May", count_cell(1))],
        columns=["Day", "Starts"],
    )
    lines = line_chart(
        key="rates",
        title="Rates",
        description="Per day.",
        labels=["1 May", "2 May", "3 May"],
        series=[("Newsletter", [count_cell(50), count_cell(3), count_cell(60)])],
        low=0,
        high=100,
        first_column="Day",
    )

    assert columns.table.rows[1][1].hidden
    assert lines.table.columns == ["Day", "Newsletter"]
    # The hidden middle value breaks the line: two single points, no line through it.
    assert "<polyline" not in str(lines.svg)
    assert str(lines.svg).count("<circle") == 2


def test_a_row_note_reads_under_its_label_and_ends_the_csv_row():
    from apps.insights.charts import Table
    from apps.insights.suppression import count_cell

    table = Table(
        "figures",
        "Figures",
        ["Figure", "Value"],
        [["Profiles <b>", count_cell(12)]],
        notes=["Every customer & guest."],
        notes_column="What it counts",
    )

    assert table.body_html() == (
        '<tr><th scope="row">Profiles &lt;b&gt;<span class="insights-table__note">Every '
        "customer &amp; guest.</span></th><td>12</td></tr>"
    )
    assert table.csv_rows() == [
        ["Figure", "Value", "What it counts"],
        ["Profiles <b>", "12", "Every customer & guest."],
    ]
