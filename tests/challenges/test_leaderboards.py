import pytest
from django.db import transaction
from django.urls import reverse

from apps.challenges.models import ChallengeProgress, LeaderboardName
from apps.challenges.selectors import leaderboard_rank_of, leaderboard_ranking
from apps.challenges.services import leaderboard_join, leaderboard_leave
from apps.consent.evidence import Evidence
from apps.consent.models import Channel
from apps.consent.services import consent_withdraw
from apps.core.exceptions import ApplicationError
from tests.challenges.factories import StepFactory
from tests.consent.factories import grant_consent, published_purpose
from tests.profiles.factories import ProfileFactory
from tests.profiles.helpers import browse_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaderboard_purpose():
    return published_purpose(key="leaderboard")


@pytest.fixture
def board():
    return StepFactory(required_count=10, challenge__has_leaderboard=True).challenge


def _player(board, purpose, name: str, score: int):
    profile = ProfileFactory()
    grant_consent(profile, purpose)
    leaderboard_join(profile=profile, display_name=name)
    ChallengeProgress.objects.create(profile=profile, challenge=board, period="once", score=score)
    return profile


def test_ranks_are_computed_in_sql_and_ties_share_a_rank(board, leaderboard_purpose):
    for name, score in [("Anna", 5), ("Bea", 5), ("Cem", 3), ("Dora", 9), ("Emil", 3)]:
        _player(board, leaderboard_purpose, name, score)

    rows = leaderboard_ranking(challenge=board, period="once")

    assert [(row.rank, row.display_name, row.score) for row in rows] == [
        (1, "Dora", 9),
        (2, "Anna", 5),
        (2, "Bea", 5),
        (4, "Cem", 3),
        (4, "Emil", 3),
    ]


def test_my_rank_counts_everyone_ahead(board, leaderboard_purpose):
    _player(board, leaderboard_purpose, "Anna", 5)
    _player(board, leaderboard_purpose, "Bea", 5)
    cem = _player(board, leaderboard_purpose, "Cem", 3)

    assert leaderboard_rank_of(challenge=board, period="once", profile=cem) == 3


def test_leaving_hides_the_customer_on_the_next_render_despite_the_cache(
    board, leaderboard_purpose, django_capture_on_commit_callbacks
):
    anna = _player(board, leaderboard_purpose, "Anna", 5)
    _player(board, leaderboard_purpose, "Bea", 4)
    assert len(leaderboard_ranking(challenge=board, period="once")) == 2

    with django_capture_on_commit_callbacks(execute=True):
        leaderboard_leave(profile=anna)

    assert [row.display_name for row in leaderboard_ranking(challenge=board, period="once")] == [
        "Bea"
    ]


def test_withdrawing_the_purpose_hides_the_customer_on_the_next_render(
    board, leaderboard_purpose, django_capture_on_commit_callbacks
):
    anna = _player(board, leaderboard_purpose, "Anna", 5)
    assert len(leaderboard_ranking(challenge=board, period="once")) == 1

    with django_capture_on_commit_callbacks(execute=True):
        consent_withdraw(
            profile=anna,
            purpose=leaderboard_purpose,
            channel=Channel.WEB,
            collection_point="preference-center",
            evidence=Evidence(),
            language="de",
        )

    assert leaderboard_ranking(challenge=board, period="once") == []


def test_joining_needs_the_leaderboard_purpose(leaderboard_purpose, english):
    profile = ProfileFactory()

    with pytest.raises(ApplicationError, match="agree to"):
        leaderboard_join(profile=profile, display_name="Anna")

    assert not LeaderboardName.objects.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("anna", "taken"),
        ("ANNA ", "taken"),
        ("ab", "3 to 24"),
        ("x" * 25, "3 to 24"),
        ("Sch3isse", "friendlier"),
        ("Fuck_you", "friendlier"),
        ("<script>", "3 to 24"),
    ],
)
def test_bad_display_names_are_refused_and_change_nothing(
    name, message, leaderboard_purpose, english
):
    first = ProfileFactory()
    grant_consent(first, leaderboard_purpose)
    leaderboard_join(profile=first, display_name="Anna")
    second = ProfileFactory()
    grant_consent(second, leaderboard_purpose)

    with pytest.raises(ApplicationError, match=message), transaction.atomic():
        leaderboard_join(profile=second, display_name=name)

    assert list(LeaderboardName.objects.values_list("display_name", flat=True)) == ["Anna"]


def test_the_leaderboard_page_renders_in_a_constant_number_of_queries(
    client, board, leaderboard_purpose
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.challenges.services import leaderboards_changed

    url = reverse("challenges:leaderboard", args=[board.slug])
    me = _player(board, leaderboard_purpose, "Ich", 6)
    browse_as(client, me)
    client.get(url)  # the first visit also notes when the customer was last seen
    counts = []
    for size in (10, 60):
        for number in range(len(counts) * 10, size):
            _player(board, leaderboard_purpose, f"Spieler {number}", number % 7)
        leaderboards_changed()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        counts.append(len(queries))

    assert counts[0] == counts[1] <= 10
    assert response.status_code == 200
    assert response.content.count(b"<tr") == 51
    assert b'aria-current="true"' in response.content


def test_the_join_form_answers_bad_input_with_400_and_a_message(client, leaderboard_purpose):
    profile = ProfileFactory()
    grant_consent(profile, leaderboard_purpose)
    browse_as(client, profile)

    response = client.post(reverse("challenges:join"), {"display_name": "a"})

    assert response.status_code == 400
    assert b'role="alert"' in response.content
    assert client.post(reverse("challenges:join"), {"display_name": "Kim"}).status_code == 302
    assert LeaderboardName.objects.get().display_name == "Kim"


def test_an_unknown_leaderboard_is_404(client):
    assert client.get(reverse("challenges:leaderboard", args=["nope"])).status_code == 404


def test_the_challenges_page_renders_in_a_constant_number_of_queries(
    client, leaderboard_purpose, django_assert_max_num_queries
):
    from apps.loyalty.models import Badge

    profile = ProfileFactory()
    for number in range(6):
        StepFactory(challenge__slug=f"c{number}")
        Badge.objects.create(key=f"b{number}", name_de="B", name_en="B", challenges_completed=2)
    browse_as(client, profile)

    with django_assert_max_num_queries(14):
        response = client.get(reverse("challenges:page"))

    assert response.status_code == 200
    assert response.content.count(b'class="card challenge') == 6


def test_scores_on_the_board_come_from_the_events_customers_cause(leaderboard_purpose):
    from apps.challenges.services import challenges_advance
    from apps.core.models import OutboxEvent

    board = StepFactory(required_count=10, challenge__has_leaderboard=True).challenge
    players = []
    for name, plays in (("Anna", 3), ("Bea", 1), ("Cem", 3)):
        profile = ProfileFactory()
        grant_consent(profile, leaderboard_purpose)
        leaderboard_join(profile=profile, display_name=name)
        for _ in range(plays):
            event = OutboxEvent.objects.create(
                name="quiz.completed", payload={"profile": str(profile.public_id)}
            )
            challenges_advance(event=event)
        players.append(profile)

    rows = leaderboard_ranking(challenge=board, period="once")

    assert [(row.rank, row.display_name, row.score) for row in rows] == [
        (1, "Anna", 3),
        (1, "Cem", 3),
        (3, "Bea", 1),
    ]
    assert leaderboard_rank_of(challenge=board, period="once", profile=players[1]) == 3
