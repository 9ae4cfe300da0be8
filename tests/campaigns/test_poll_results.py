import pytest
from django.core.management import call_command

from apps.campaigns.models import Campaign, OptionTally
from apps.campaigns.selectors import poll_results, shares_of_hundred
from apps.campaigns.services import (
    answer_submit,
    option_tallies_add,
    participation_complete,
    participation_start,
)
from tests.campaigns.factories import CampaignFactory, OptionFactory, QuestionFactory
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def flavours():
    poll = CampaignFactory(kind=Campaign.Kind.POLL)
    question = QuestionFactory(campaign=poll, position=1)
    options = [
        OptionFactory(question=question, position=n, label_de=label)
        for n, label in enumerate(("Zitrone", "Mango", "Himbeere"))
    ]
    return poll, question, options


def _vote(poll, question, option, profile=None):
    participation = participation_start(
        campaign=poll, profile=profile or ProfileFactory(), locale="de"
    )
    answer_submit(participation=participation, question_id=question.pk, option_ids=[option.pk])
    return participation_complete(participation=participation)


@pytest.mark.parametrize(
    ("counts", "shares"),
    [
        ([1, 1, 1], [34, 33, 33]),
        ([11, 7, 5], [48, 30, 22]),
        ([2, 1, 1, 1, 1, 1], [29, 15, 14, 14, 14, 14]),
        ([1, 2, 3], [17, 33, 50]),
        ([5, 0, 0], [100, 0, 0]),
        ([3, 3], [50, 50]),
        ([0, 0], [0, 0]),
    ],
)
def test_shares_of_hundred_use_the_largest_remainder(counts, shares):
    assert shares_of_hundred(counts) == shares


@pytest.mark.parametrize("counts", [[1, 1, 1], [1, 1, 1, 1, 1, 1, 1], [97, 2, 1], [1, 3, 3, 5]])
def test_shares_of_hundred_always_add_up_to_100(counts):
    assert sum(shares_of_hundred(counts)) == 100


def test_poll_results_are_totals_only(flavours):
    poll, question, (lemon, mango, _raspberry) = flavours
    for option in (lemon, lemon, lemon, mango, mango):
        _vote(poll, question, option)

    (result,) = poll_results(campaign=poll)

    assert result.shown
    assert result.total == 5
    assert [(row.count, row.percent) for row in result.rows] == [(3, 60), (2, 40), (0, 0)]
    assert not any(row.is_own for row in result.rows)


def test_poll_results_of_three_equal_counts_add_up_to_100(flavours):
    poll, _question, options = flavours
    option_tallies_add(counts={option.pk: 2 for option in options})

    (result,) = poll_results(campaign=poll)

    assert [row.percent for row in result.rows] == [34, 33, 33]


def test_poll_results_mark_the_players_own_choice(flavours, profile):
    poll, question, (lemon, mango, _raspberry) = flavours
    option_tallies_add(counts={lemon.pk: 4})
    participation = _vote(poll, question, mango, profile)

    (result,) = poll_results(campaign=poll, participation=participation)

    assert [row.is_own for row in result.rows] == [False, True, False]
    assert result.own == [mango]


def test_poll_results_stay_hidden_below_five_votes_but_show_the_own_vote(flavours, profile):
    poll, question, (lemon, mango, _raspberry) = flavours
    option_tallies_add(counts={lemon.pk: 3})
    participation = _vote(poll, question, mango, profile)

    (result,) = poll_results(campaign=poll, participation=participation)

    assert not result.shown
    assert result.rows == []
    assert result.own == [mango]


def test_poll_results_read_in_three_queries(flavours, profile, django_assert_num_queries):
    poll, question, (lemon, *_) = flavours
    participation = _vote(poll, question, lemon, profile)
    for position in (2, 3):
        OptionFactory(question=QuestionFactory(campaign=poll, position=position))

    with django_assert_num_queries(3):
        poll_results(campaign=poll, participation=participation)


def test_option_tallies_add_creates_missing_rows_and_adds_to_existing(flavours):
    _poll, _question, (lemon, mango, raspberry) = flavours
    option_tallies_add(counts={lemon.pk: 1})

    option_tallies_add(counts={lemon.pk: 2, mango.pk: 5, raspberry.pk: 0})

    assert dict(OptionTally.objects.values_list("option_id", "count")) == {
        lemon.pk: 3,
        mango.pk: 5,
    }


@pytest.mark.usefixtures("media_in_tmp")
def test_seed_demo_polls_show_results_at_once(settings):
    settings.DEBUG = True

    call_command("seed_demo", verbosity=0)

    for poll in Campaign.objects.filter(kind=Campaign.Kind.POLL):
        assert all(result.shown for result in poll_results(campaign=poll)), poll.slug
