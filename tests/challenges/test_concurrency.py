"""Events for one customer arriving at once, on PostgreSQL: each counts exactly once."""

import pytest
from django.db import transaction

from apps.campaigns.events import QuizCompleted
from apps.challenges.models import ChallengeProgress, CountedEvent
from apps.challenges.services import challenges_advance
from apps.core.models import OutboxEvent
from tests.challenges.factories import StepFactory
from tests.concurrency import run_in_parallel
from tests.events import publish_part
from tests.profiles.factories import ProfileFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_events_each_count_once_and_complete_once():
    step = StepFactory(required_count=6)
    profile = ProfileFactory()

    def one_event(_n: int) -> None:
        with transaction.atomic():
            publish_part(QuizCompleted, profile=str(profile.public_id))

    assert run_in_parallel(8, one_event) == []

    progress = ChallengeProgress.objects.get(profile=profile, challenge=step.challenge)
    # Six count; the two that came after completion find it done and count nothing.
    assert progress.steps.get().count == 6
    assert CountedEvent.objects.count() == 6
    assert progress.completed_at is not None
    assert OutboxEvent.objects.filter(name="challenge.completed").count() == 1


def test_one_event_replayed_in_parallel_counts_once():
    step = StepFactory(required_count=3)
    profile = ProfileFactory()
    with transaction.atomic():
        event = publish_part(QuizCompleted, profile=str(profile.public_id))

    assert run_in_parallel(6, lambda _n: challenges_advance(event=event)) == []

    assert ChallengeProgress.objects.get(challenge=step.challenge).steps.get().count == 1
    assert CountedEvent.objects.count() == 1


def test_concurrent_events_lose_no_count():
    step = StepFactory(required_count=50)
    profile = ProfileFactory()

    def one_event(_n: int) -> None:
        with transaction.atomic():
            publish_part(QuizCompleted, profile=str(profile.public_id))

    assert run_in_parallel(8, one_event) == []

    assert ChallengeProgress.objects.get(challenge=step.challenge).steps.get().count == 8


def test_two_challenges_completing_at_once_count_each_other_for_badges():
    from apps.loyalty.models import Badge, BadgeAward

    Badge.objects.create(key="two", name_de="Zwei", name_en="Two", challenges_completed=2)
    for campaign in ("a", "b"):
        StepFactory(conditions={"campaign": campaign})
    profile = ProfileFactory()

    def complete(n: int) -> None:
        with transaction.atomic():
            publish_part(QuizCompleted, profile=str(profile.public_id), campaign="ab"[n])

    assert run_in_parallel(2, complete) == []

    assert ChallengeProgress.objects.filter(completed_at__isnull=False).count() == 2
    assert BadgeAward.objects.filter(badge__key="two", profile=profile).exists()
