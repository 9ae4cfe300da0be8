"""A staff user's test customer never appears on a leaderboard."""

import pytest
from django.contrib.auth import get_user_model

from apps.challenges.models import ChallengeProgress
from apps.challenges.selectors import leaderboard_rank_of, leaderboard_ranking
from apps.challenges.services import leaderboard_join
from apps.profiles.services import profile_test_for
from tests.challenges.factories import StepFactory
from tests.consent.factories import grant_consent, published_purpose
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db


def test_a_test_customer_is_not_on_the_leaderboard():
    purpose = published_purpose(key="leaderboard")
    board = StepFactory(required_count=10, challenge__has_leaderboard=True).challenge
    tester = profile_test_for(user=get_user_model().objects.create_user("team", is_staff=True))
    customer = ProfileFactory()
    for profile, name, score in [(customer, "Anna", 3), (tester, "Test", 9)]:
        grant_consent(profile, purpose)
        leaderboard_join(profile=profile, display_name=name)
        ChallengeProgress.objects.create(
            profile=profile, challenge=board, period="once", score=score
        )

    rows = leaderboard_ranking(challenge=board, period="once")

    assert [(row.rank, row.display_name) for row in rows] == [(1, "Anna")]
    assert leaderboard_rank_of(challenge=board, period="once", profile=customer) == 1
    assert leaderboard_rank_of(challenge=board, period="once", profile=tester) is None


def test_the_staff_preview_of_a_challenge_counts_no_test_customer():
    from datetime import timedelta

    from django.utils import timezone

    from apps.challenges.selectors import challenge_preview_count
    from apps.core.models import OutboxEvent

    challenge = StepFactory(required_count=1, event_name="quiz.completed").challenge
    tester = profile_test_for(user=get_user_model().objects.create_user("team", is_staff=True))
    for profile in (tester, ProfileFactory()):
        OutboxEvent.objects.create(
            name="quiz.completed", payload={"profile": str(profile.public_id)}
        )
    now = timezone.now()

    count = challenge_preview_count(
        challenge=challenge, since=now - timedelta(days=1), until=now + timedelta(days=1)
    )

    assert count == 1
