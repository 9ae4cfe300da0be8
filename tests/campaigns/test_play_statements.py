"""What one answer and one completion cost in SQL statements, played like the demo: its
trivia quiz, by an anonymous player coming back with their session, with the demo's whole
loyalty program active (earning rules, tiers, badges, challenges).

Tests run inside a transaction, so the step's own transaction shows here as a SAVEPOINT and
its RELEASE: in production these two are the BEGIN and COMMIT."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.campaigns.demo import demo_campaigns_ensure
from apps.campaigns.models import Option
from apps.challenges.demo import demo_challenges_ensure
from apps.consent.demo import demo_purposes_ensure
from apps.loyalty.demo import demo_loyalty_ensure
from apps.loyalty.models import Account
from apps.preferences.demo import demo_attributes_ensure

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_in_tmp")]

HTMX = {"HX-Request": "true"}
SLUG = "snack-wissen"  # two trivia questions, then an opinion

# campaign, session, profile, participation; the step's transaction: lock the play, every
# answer it has (what each chose, so the way on needs no second read), insert the answer,
# its chosen option, the question.answered event; then the answers for the next card.
ANSWER_STATEMENTS = 2 + 10

# As an answer up to its event, without the next card (9); then the completion: the chosen
# options (score, outcome and tallies from one read), the option tallies (insert the
# missing rows, add), the play, the quiz.completed event (5). Its subscribers, in one
# transaction with it: insights (the play, its claim, its options and values, the day
# tallies: 5); challenges (the steps, the profile, the account made on the way: 6; for each
# of the two challenges counting this quiz, its progress made: 4, its step inserted,
# counted, advanced, scored: 6); loyalty (the rule, the profile, the account, a merge
# check, the day's cap: 5; the credit: 7 on SQLite, locked row by row, 5 on PostgreSQL,
# whose one prepared statement writes the entry, the balance and the event; the first tier:
# thresholds, points in the window, tier, update, event: 5; the tier's badges: 1). After
# commit the result address: the rules offering points and the points earned (2).
# A PostgreSQL session prepares the credit's statement once; whether an earlier request on
# this connection already did depends on the tests before, so the PREPARE is not counted.
COMPLETION_STATEMENTS = {"sqlite": 2 + 65, "postgresql": 2 + 62}


@pytest.fixture
def demo():
    """What seed_demo writes for players: purposes, attributes, the loyalty program
    (earning rules, tiers, rewards), the campaigns, the challenges and their badges."""
    demo_purposes_ensure()
    demo_attributes_ensure()
    demo_loyalty_ensure()
    demo_campaigns_ensure()
    demo_challenges_ensure()


@pytest.fixture
def returning_player(client, demo):
    """An anonymous player who came back with their session and answered the first
    question; the options they will choose next are looked up before counting."""
    client.get(reverse("campaigns:intro", args=[SLUG]))
    client.post(reverse("campaigns:start", args=[SLUG]))
    _answer(client, 1, _option(1))
    return client


def _option(number: int) -> int:
    return (
        Option.objects.filter(question__campaign__slug=SLUG, question__position=number)
        .order_by("position")
        .values_list("pk", flat=True)[0]
    )


def _answer(client, number: int, option: int):
    url = reverse("campaigns:answer", args=[SLUG, number])
    return client.post(url, {"option": option}, headers=HTMX)


def test_an_answer_costs_a_fixed_number_of_statements(returning_player, django_assert_num_queries):
    option = _option(2)

    with django_assert_num_queries(ANSWER_STATEMENTS):
        response = _answer(returning_player, 2, option)

    assert response.status_code == 200


def test_the_completion_costs_a_fixed_number_of_statements(returning_player):
    _answer(returning_player, 2, _option(2))
    option = _option(3)

    with CaptureQueriesContext(connection) as captured:
        response = _answer(returning_player, 3, option)

    statements = [query["sql"] for query in captured.captured_queries]
    counted = [sql for sql in statements if not sql.startswith("PREPARE ")]
    assert len(counted) == COMPLETION_STATEMENTS[connection.vendor], "\n".join(statements)

    assert response["HX-Redirect"] == reverse("campaigns:result", args=[SLUG])
    # The points are on the account when the result page is asked for.
    assert Account.objects.get().balance == 50
