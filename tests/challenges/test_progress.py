from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.campaigns.events import QuizCompleted
from apps.challenges.models import Challenge, ChallengeProgress, ChallengeStep
from apps.challenges.selectors import badge_shelf, challenges_for_profile
from apps.challenges.services import challenges_advance
from apps.core.models import OutboxEvent
from apps.loyalty.models import Account, Badge, BadgeAward
from apps.profiles.models import Profile
from apps.profiles.services import profile_merge
from tests.challenges.factories import ChallengeFactory, StepFactory
from tests.events import publish_part
from tests.loyalty.factories import EarningRuleFactory, TierFactory
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def _event(profile, at=None, name="quiz.completed", **payload) -> OutboxEvent:
    """An event as it was recorded at `at`, counted as the in-transaction subscriber does."""
    event = OutboxEvent.objects.create(
        name=name,
        payload={"profile": str(profile.public_id), **payload},
        created_at=at or timezone.now(),
    )
    challenges_advance(event=event)
    return event


def _local(day: str, hour: int = 12, minute: int = 0, zone=BERLIN) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=zone)


def _count(profile, challenge) -> int:
    progress = ChallengeProgress.objects.filter(profile=profile, challenge=challenge).first()
    return progress.steps.get().count if progress else 0


def test_a_challenge_completes_publishes_and_is_rewarded_with_points_and_badges(profile):
    EarningRuleFactory(event_name="challenge.completed", points=150, name="Challenge")
    first = Badge.objects.create(
        key="first", name_de="Erste", name_en="First", challenges_completed=1
    )
    own = Badge.objects.create(key="own", name_de="Eigene", name_en="Own")
    step = StepFactory(required_count=3, challenge__badge=own)

    with transaction.atomic():
        for _n in range(3):
            publish_part(QuizCompleted, profile=str(profile.public_id), campaign="x")

    progress = ChallengeProgress.objects.get(profile=profile, challenge=step.challenge)
    assert progress.completed_at is not None
    assert progress.score == 3
    assert OutboxEvent.objects.filter(name="challenge.completed").count() == 1
    assert Account.objects.get(profile=profile).balance == 150
    assert set(BadgeAward.objects.values_list("badge__key", flat=True)) == {first.key, own.key}


def test_a_replayed_event_counts_once(profile):
    step = StepFactory(required_count=5)
    event = _event(profile)

    challenges_advance(event=event)
    challenges_advance(event=event)

    assert _count(profile, step.challenge) == 1


def test_conditions_and_windows_decide_which_events_count(profile):
    step = StepFactory(
        required_count=5,
        conditions={"campaign": "tagesfrage"},
        window_starts_at=timezone.now() - timedelta(days=1),
        window_ends_at=timezone.now() + timedelta(days=1),
    )

    _event(profile, campaign="tagesfrage")
    _event(profile, campaign="snack-typ")
    _event(profile, at=timezone.now() - timedelta(days=2), campaign="tagesfrage")
    _event(profile, name="question.answered", campaign="tagesfrage")

    assert _count(profile, step.challenge) == 1


def test_a_streak_counts_calendar_days_in_the_customers_time_zone(profile):
    step = StepFactory(kind=ChallengeStep.Kind.STREAK, required_count=7)
    # 23:30 and 00:30 in Berlin are two days, though the same day in UTC.
    _event(profile, _local("2026-06-01", 23, 30))
    _event(profile, _local("2026-06-02", 0, 30))
    _event(profile, _local("2026-06-02", 18))  # the same day again counts once

    assert _count(profile, step.challenge) == 2


def test_a_streak_survives_the_change_to_and_from_daylight_saving_time(profile):
    """At 01:30 in Berlin these are three days; in UTC the last two share a date in spring,
    and in autumn the 23:30 events fall on the next UTC date but one."""
    step = StepFactory(kind=ChallengeStep.Kind.STREAK, required_count=10)
    for day in ("2026-03-28", "2026-03-29", "2026-03-30"):
        _event(profile, _local(day, 1, 30))
    assert _count(profile, step.challenge) == 3

    other = ProfileFactory()
    for day, hour in (("2026-10-24", 0), ("2026-10-25", 23), ("2026-10-26", 0)):
        _event(other, _local(day, hour, 30))
    assert _count(other, step.challenge) == 3


def test_a_streak_follows_the_customer_into_a_new_time_zone(profile):
    step = StepFactory(kind=ChallengeStep.Kind.STREAK, required_count=10)
    _event(profile, _local("2026-06-01", 20))
    Profile.objects.filter(pk=profile.pk).update(time_zone="America/New_York")
    # 02:00 on 3 June in Berlin is still 2 June in New York: the next day there.
    _event(profile, _local("2026-06-03", 2))

    assert _count(profile, step.challenge) == 2


def test_a_missed_day_breaks_a_streak_unless_grace_forgives_it(profile):
    strict = StepFactory(kind=ChallengeStep.Kind.STREAK, required_count=10)
    forgiving = StepFactory(kind=ChallengeStep.Kind.STREAK, required_count=10, grace_periods=1)
    for day in ("2026-06-01", "2026-06-02", "2026-06-04"):
        _event(profile, _local(day))

    assert _count(profile, strict.challenge) == 1
    assert _count(profile, forgiving.challenge) == 3


def test_the_page_says_when_a_streak_ends_tonight(profile):
    step = StepFactory(kind=ChallengeStep.Kind.STREAK, required_count=7)
    yesterday = timezone.localtime(timezone.now(), BERLIN) - timedelta(days=1)
    _event(profile, yesterday)

    (view,) = challenges_for_profile(profile=profile)
    assert view.steps[0].streak_state == "ends_tonight"

    _event(profile)
    (view,) = challenges_for_profile(profile=profile)
    assert (view.steps[0].count, view.steps[0].streak_state) == (2, "done_today")
    assert step.challenge == view.challenge


def test_a_broken_streak_shows_as_over(profile):
    StepFactory(kind=ChallengeStep.Kind.STREAK, required_count=7)
    _event(profile, timezone.now() - timedelta(days=3))

    (view,) = challenges_for_profile(profile=profile)
    assert (view.steps[0].count, view.steps[0].streak_state) == (0, "broken")


def test_a_hidden_challenge_appears_only_once_completed(profile):
    step = StepFactory(challenge__is_hidden=True, required_count=2)
    _event(profile)

    assert challenges_for_profile(profile=profile) == []

    _event(profile)
    (view,) = challenges_for_profile(profile=profile)
    assert view.challenge == step.challenge
    assert view.is_completed


def test_a_tier_restricted_challenge_counts_only_for_that_tier(profile):
    gold = TierFactory(key="gold", threshold=1000)
    step = StepFactory(challenge__minimum_tier=gold)

    _event(profile)

    assert _count(profile, step.challenge) == 0
    assert challenges_for_profile(profile=profile) == []


def test_a_monthly_challenge_starts_afresh_each_month(profile):
    step = StepFactory(challenge__recurrence=Challenge.Recurrence.MONTHLY, required_count=1)
    _event(profile, _local("2026-10-31", 23, 30))
    _event(profile, _local("2026-11-01", 0, 30))

    periods = sorted(
        ChallengeProgress.objects.filter(challenge=step.challenge).values_list("period", flat=True)
    )
    assert periods == ["2026-10", "2026-11"]
    assert ChallengeProgress.objects.filter(completed_at__isnull=False).count() == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"required_count": 0}, "required_count"),
        (
            {
                "window_starts_at": timezone.now(),
                "window_ends_at": timezone.now() - timedelta(days=1),
            },
            "window_ends_at",
        ),
        ({"conditions": {"email": "x"}}, "conditions"),
    ],
)
def test_impossible_steps_are_refused_with_a_clear_message(fields, field):
    step = ChallengeStep(
        challenge=ChallengeFactory(),
        label_de="x",
        label_en="x",
        event_name="quiz.completed",
        **fields,
    )

    with pytest.raises(ValidationError) as error:
        step.full_clean()
    assert field in error.value.message_dict


def test_a_challenge_that_ends_before_it_starts_is_refused():
    challenge = ChallengeFactory.build(
        starts_at=timezone.now(), ends_at=timezone.now() - timedelta(hours=1)
    )

    with pytest.raises(ValidationError):
        challenge.full_clean()


def test_progress_moves_to_the_member_on_a_merge(profile):
    step = StepFactory(required_count=3)
    member = ProfileFactory(kind=Profile.Kind.MEMBER)
    _event(profile)
    _event(profile)

    with transaction.atomic():
        profile_merge(source=profile, target=member)
    _event(member)

    progress = ChallengeProgress.objects.get(challenge=step.challenge)
    assert progress.profile == member
    assert progress.completed_at is not None


def test_the_badge_shelf_shows_earned_and_visible_locked_badges_with_progress(profile):
    Badge.objects.create(key="three", name_de="Drei", name_en="Three", challenges_completed=3)
    Badge.objects.create(key="secret", name_de="Geheim", name_en="Secret", is_hidden=True)
    StepFactory()
    _event(profile)

    (three,) = badge_shelf(profile=profile)
    assert three.badge.key == "three"
    assert three.earned_at is None
    assert three.progress == (1, 3)


def test_a_weekly_streak_runs_across_iso_week_53_into_the_new_year(profile):
    step = StepFactory(
        kind=ChallengeStep.Kind.STREAK,
        streak_unit=ChallengeStep.Unit.WEEK,
        required_count=10,
    )
    # Weeks 52 and 53 of 2026, then week 1 of 2027; twice in one week counts once.
    for day in ("2026-12-21", "2026-12-31", "2027-01-03", "2027-01-04"):
        _event(profile, _local(day))

    assert _count(profile, step.challenge) == 3


def test_a_weekly_streak_forgives_a_missed_week_with_grace(profile):
    step = StepFactory(
        kind=ChallengeStep.Kind.STREAK,
        streak_unit=ChallengeStep.Unit.WEEK,
        required_count=10,
        grace_periods=1,
    )
    for day in ("2026-06-01", "2026-06-15", "2026-07-06"):
        _event(profile, _local(day))

    # Week 23, (24 missed, forgiven), 25, then two weeks missed: a new run.
    assert _count(profile, step.challenge) == 1
    assert step.challenge.progress.get().steps.get().best == 2


def test_a_streak_that_was_long_enough_stays_done_when_it_breaks(profile):
    challenge = ChallengeFactory()
    StepFactory(challenge=challenge, kind=ChallengeStep.Kind.STREAK, required_count=3)
    StepFactory(challenge=challenge, event_name="reward.redeemed", required_count=1)
    for day in ("2026-06-01", "2026-06-02", "2026-06-03", "2026-06-10"):
        _event(profile, _local(day))

    _event(profile, name="reward.redeemed")

    progress = ChallengeProgress.objects.get(challenge=challenge)
    assert progress.completed_at is not None
    assert progress.score == 4


def test_a_step_cannot_count_consent_or_preference_events():
    step = ChallengeStep(
        challenge=ChallengeFactory(),
        label_de="x",
        label_en="x",
        event_name="preference.declared",
    )

    with pytest.raises(ValidationError) as error:
        step.full_clean()
    assert "event_name" in error.value.message_dict
