"""The program dashboard never contradicts itself: no figure about some customers beside a
hidden total, no rate beside hidden parts, and a line on what each key figure counts."""

from datetime import timedelta

import pytest
from django.utils import translation

from apps.insights.models import ProgramDayRollup
from apps.insights.periods import site_today
from apps.insights.selectors import program_dashboard

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _snapshot(*, profiles: int, tier_ups: int) -> None:
    yesterday = site_today() - timedelta(days=1)
    ProgramDayRollup.objects.create(
        day=yesterday,
        profiles=profiles,
        profiles_declaring=0,
        declarations=0,
        stale_declarations=0,
        accounts=profiles,
        liability=4000,
        tier_ups=tier_ups,
        points_earned=4000,
        earners=12,
    )


def _dashboard():
    today = site_today()
    return program_dashboard(first=today - timedelta(days=7), last=today)


def test_moves_and_points_of_a_hidden_number_of_profiles_are_hidden():
    # Twelve moves up by three customers: beside "fewer than 5 profiles" it would contradict.
    _snapshot(profiles=3, tier_ups=12)

    dashboard = _dashboard()

    figures = {str(label): value for label, value in dashboard.key_figures.rows}
    assert figures["Profiles"].hidden
    assert all(value.hidden for value in figures.values())
    moves = dashboard.tables_only["tier-moves"].rows
    assert all(value.hidden for _label, value in moves)


def test_moves_and_points_show_beside_a_shown_number_of_profiles():
    _snapshot(profiles=30, tier_ups=12)

    dashboard = _dashboard()

    figures = {str(row[0]): str(row[1]) for row in dashboard.key_figures.rows}
    assert figures["Profiles"] == "30"
    assert figures["Points earned"] == "4,000"
    assert str(dashboard.tables_only["tier-moves"].rows[0][1]) == "12"


def test_a_rate_beside_its_hidden_part_is_hidden():
    # 4,000 points earned by 12, none redeemed ("fewer than 5"): "0%" would give it away.
    _snapshot(profiles=30, tier_ups=0)

    figures = {str(row[0]): row[1] for row in _dashboard().key_figures.rows}

    assert figures["Points redeemed"].hidden
    assert figures["Redemption rate (redeemed of earned)"].hidden


def test_every_key_figure_says_what_it_counts_in_the_staff_language():
    _snapshot(profiles=30, tier_ups=12)

    with translation.override("de"):
        dashboard = _dashboard()

    assert dashboard.key_figures.csv_rows()[0][-1] == "Was gezählt wird"
    explanations = dashboard.key_figures.notes
    assert len(explanations) == len(dashboard.key_figures.rows)
    assert all(explanations)
    assert len(set(explanations)) == len(explanations)
    assert "Punkte, die im gewählten Zeitraum für Prämien eingelöst wurden." in explanations
    for table in dashboard.tables_only.values():
        assert table.description, table.key
