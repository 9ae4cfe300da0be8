import pytest

from apps.insights.suppression import (
    MINIMUM_GROUP,
    cell,
    count_cell,
    group_cells,
    ratio_cell,
    share_cell,
    within,
)

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize("people", [0, 1, 4])
def test_a_figure_for_fewer_than_five_people_is_hidden(people):
    shown = count_cell(people)

    assert shown.hidden
    assert shown.value is None
    assert str(shown) == "fewer than 5"


def test_five_people_are_shown():
    assert str(count_cell(MINIMUM_GROUP)) == "5"
    assert str(cell(1234.5, people=5, decimals=1)) == "1,234.5"


def test_an_average_of_nobody_is_hidden():
    assert cell(None, people=10).hidden


def test_a_share_needs_both_groups_to_be_large_enough():
    assert str(share_cell(6, 8)) == "75%"
    assert share_cell(3, 100).hidden
    assert share_cell(4, 4).hidden
    assert share_cell(0, 0).hidden


def test_a_single_small_bucket_hides_the_next_smallest_as_well():
    cells = group_cells({"a": 20, "b": 7, "c": 2})

    assert [cells[key].hidden for key in "abc"] == [False, True, True]


def test_two_small_buckets_protect_each_other():
    cells = group_cells({"a": 20, "b": 3, "c": 2, "d": 9})

    assert [cells[key].hidden for key in "abcd"] == [False, True, True, False]


def test_empty_buckets_do_not_force_others_to_hide():
    cells = group_cells({"a": 20, "b": 0, "c": 9})

    assert [cells[key].hidden for key in "abc"] == [False, True, False]


def test_the_nps_score_is_hidden_when_it_would_give_a_small_group_away(english):
    from apps.campaigns.models import Question
    from apps.insights.selectors.campaign import _nps_question_chart

    question = Question(pk=1, kind="scale")
    small = _nps_question_chart("nps", "NPS", question, {(1, 10): 6, (1, 8): 5, (1, 2): 2})
    large = _nps_question_chart("nps", "NPS", question, {(1, 10): 6, (1, 8): 5, (1, 2): 5})

    assert small.table.rows[-1][1].hidden
    assert not large.table.rows[-1][1].hidden


def test_the_nps_score_is_shown_when_every_group_is_large_enough():
    from apps.insights.selectors.common import nps_cell

    assert nps_cell({"promoters": 10, "passives": 5, "detractors": 5}).value == 25
    assert nps_cell({"promoters": 10, "passives": 0, "detractors": 5}).value == pytest.approx(
        100 / 3
    )
    assert nps_cell({"promoters": 10, "passives": 4, "detractors": 5}).hidden


def test_a_ratio_is_hidden_when_any_figure_it_is_made_of_is():
    shown, hidden = count_cell(40), count_cell(3)

    assert str(ratio_cell(62.5, parts=[shown, count_cell(24)], percent=True)) == "62%"
    assert ratio_cell(93.0, parts=[shown, hidden], percent=True).hidden
    assert ratio_cell(None, parts=[shown, shown]).hidden


def test_a_part_of_a_hidden_total_is_hidden():
    assert within(count_cell(12), count_cell(3)).hidden
    assert str(within(count_cell(12), count_cell(30))) == "12"
