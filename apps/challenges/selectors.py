import contextlib
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from redis.exceptions import RedisError

from apps.challenges.models import Challenge, ChallengeProgress, ChallengeStep, LeaderboardName
from apps.challenges.periods import period_of, streak_index
from apps.challenges.services import BOARD_GENERATION_KEY, LEADERBOARD_PURPOSE
from apps.consent.selectors import consent_granted_exists
from apps.loyalty.models import Badge, BadgeAward
from apps.loyalty.selectors import account_for_profile
from apps.profiles.models import Profile, counted_profiles

BOARD_SIZE = 50
BOARD_CACHE_SECONDS = 60


def local_today(profile: Profile | None) -> date:
    zone = profile.zone if profile else timezone.get_current_timezone()
    return timezone.localtime(timezone.now(), zone).date()


@dataclass(frozen=True)
class StepView:
    step: ChallengeStep
    count: int
    streak_state: str  # "", "done_today", "ends_tonight", "running", "broken"

    @property
    def done(self) -> bool:
        return self.count >= self.step.required_count

    @property
    def percent(self) -> int:
        return min(100, self.count * 100 // self.step.required_count)


@dataclass(frozen=True)
class ChallengeView:
    challenge: Challenge
    progress: ChallengeProgress | None
    steps: list[StepView]

    @property
    def is_completed(self) -> bool:
        return bool(self.progress and self.progress.completed_at)


def _streak_state(
    step: ChallengeStep, count: int, last: int | None, today: date
) -> tuple[int, str]:
    """The streak as the customer sees it today: a run whose grace has passed is over."""
    if step.kind != ChallengeStep.Kind.STREAK or last is None:
        return count, ""
    now = streak_index(step, today)
    deadline = last + 1 + step.grace_periods
    weekly = step.streak_unit == ChallengeStep.Unit.WEEK
    if now > deadline:
        return 0, "broken"
    if now == last:
        return count, "done_this_week" if weekly else "done_today"
    # The last chance is tonight: the last day, or the Sunday of the last week.
    if now == deadline and (not weekly or today.weekday() == 6):
        return count, "ends_tonight"
    return count, "running"


def challenges_for_profile(*, profile: Profile | None) -> list[ChallengeView]:
    """Running challenges with this customer's progress in the current period. Hidden ones
    appear only once completed; tier-restricted ones only to those in the tier. Three queries."""
    today = local_today(profile)
    challenges = list(
        Challenge.objects.running()
        .select_related("minimum_tier", "badge")
        .prefetch_related("steps")
    )
    progress = {}
    if profile is not None and challenges:
        current = Q()
        for challenge in challenges:
            current |= Q(challenge=challenge, period=period_of(challenge, today))
        rows = ChallengeProgress.objects.filter(current, profile=profile).prefetch_related("steps")
        progress = {p.challenge_id: p for p in rows}
    tier = None
    if profile is not None and any(c.minimum_tier_id for c in challenges):
        account = account_for_profile(profile=profile)
        tier = account.tier if account else None
    views = []
    for challenge in challenges:
        mine = progress.get(challenge.pk)
        if challenge.is_hidden and not (mine and mine.completed_at):
            continue
        if challenge.minimum_tier_id and (
            tier is None or tier.threshold < challenge.minimum_tier.threshold
        ):
            continue
        counts = {sp.step_id: sp for sp in mine.steps.all()} if mine else {}
        steps = []
        for step in challenge.steps.all():
            done = counts.get(step.pk)
            count, state = _streak_state(
                step, done.count if done else 0, done.last_period if done else None, today
            )
            if mine and mine.completed_at and done:
                count, state = max(done.count, done.best), ""
            steps.append(StepView(step, count, state))
        views.append(ChallengeView(challenge, mine, steps))
    return views


@dataclass(frozen=True)
class BadgeView:
    badge: Badge
    earned_at: object
    progress: tuple[int, int] | None  # ("2 of 3") for badges counted in challenges


def badge_shelf(*, profile: Profile | None) -> list[BadgeView]:
    """Earned badges, and the visible ones still to earn with progress where it is counted."""
    earned = (
        dict(BadgeAward.objects.filter(profile=profile).values_list("badge_id", "awarded_at"))
        if profile
        else {}
    )
    completed = (
        ChallengeProgress.objects.filter(profile=profile, completed_at__isnull=False).count()
        if profile
        else 0
    )
    shelf = []
    for badge in Badge.objects.all():
        if badge.pk not in earned and badge.is_hidden:
            continue
        progress = None
        if badge.challenges_completed and badge.pk not in earned:
            progress = (min(completed, badge.challenges_completed), badge.challenges_completed)
        shelf.append(BadgeView(badge, earned.get(badge.pk), progress))
    return shelf


@dataclass(frozen=True)
class BoardRow:
    rank: int
    display_name: str
    score: int
    profile_id: int


def _board_queryset(challenge: Challenge, period: str) -> QuerySet:
    """Everyone on this board: a display name chosen and the purpose granted right now;
    never a staff test customer."""
    names = LeaderboardName.objects.filter(profile_id=OuterRef("profile_id"))
    return ChallengeProgress.objects.filter(
        Exists(names),
        consent_granted_exists(purpose_key=LEADERBOARD_PURPOSE, profile_ref="profile_id"),
        counted_profiles(),
        challenge=challenge,
        period=period,
        score__gt=0,
    )


def leaderboard_ranking(*, challenge: Challenge, period: str) -> list[BoardRow]:
    """The top of the board, ranked in SQL (equal scores share a rank, the next rank skips),
    cached until anyone joins, leaves or withdraws consent. One query when not cached."""
    generation = _cached(BOARD_GENERATION_KEY, 0)
    key = f"challenges:board:{challenge.pk}:{period}:{generation}"
    cached = _cached(key) if generation is not None else None
    if cached is not None:
        return cached
    rows = [BoardRow(*row) for row in _ranked_top(challenge, period)]
    if generation is not None:
        with contextlib.suppress(RedisError):
            cache.set(key, rows, BOARD_CACHE_SECONDS)
    return rows


def _cached(key: str, default=None):
    """A cache read that treats an unreachable cache as empty: rankings are then computed."""
    try:
        return cache.get(key, default)
    except RedisError:
        return None


def _ranked_top(challenge: Challenge, period: str) -> list[tuple]:
    """RANK() over the top BOARD_SIZE rows taken in index order. Every row that outscores one
    in the top is itself in the top, so ranks over this prefix equal ranks over the whole
    board, and the database reads about BOARD_SIZE rows rather than every tie group."""
    names = LeaderboardName.objects.filter(profile_id=OuterRef("profile_id"))
    top = (
        _board_queryset(challenge, period)
        .annotate(display_name=Subquery(names.values("display_name")[:1]))
        .order_by("-score", "profile_id")
        .values("score", "profile_id", "display_name")[:BOARD_SIZE]
    )
    sql, params = top.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT RANK() OVER (ORDER BY top.score DESC), top.display_name, top.score, "
            f"top.profile_id FROM ({sql}) AS top "
            "ORDER BY top.score DESC, top.profile_id",
            params,
        )
        return cursor.fetchall()


def leaderboard_rank_of(*, challenge: Challenge, period: str, profile: Profile) -> int | None:
    """This customer's rank: 1 + how many on the board scored more, or None when not on it.
    The count is shared by everyone with the same score and cached like the ranking."""
    board = _board_queryset(challenge, period)
    score = board.filter(profile=profile).values_list("score", flat=True).first()
    if score is None:
        return None
    generation = _cached(BOARD_GENERATION_KEY, 0)
    key = f"challenges:ahead:{challenge.pk}:{period}:{generation}:{score}"
    ahead = _cached(key) if generation is not None else None
    if ahead is None:
        ahead = board.filter(score__gt=score).count()
        if generation is not None:
            with contextlib.suppress(RedisError):
                cache.set(key, ahead, BOARD_CACHE_SECONDS)
    return ahead + 1


def leaderboard_name_of(*, profile: Profile | None) -> LeaderboardName | None:
    if profile is None:
        return None
    return LeaderboardName.objects.filter(profile=profile).first()


def challenge_preview_count(*, challenge: Challenge, since, until) -> int:
    """How many customers would have completed the challenge between `since` and `until`,
    judged from the recorded events (a streak is judged by its number of active days)."""
    from django.db.models import Count
    from django.db.models.functions import TruncDate

    from apps.core.models import OutboxEvent

    qualified: set[str] | None = None
    for step in challenge.steps.all():
        events = OutboxEvent.objects.filter(
            name=step.event_name, created_at__gte=since, created_at__lt=until
        )
        for key, value in step.conditions.items():
            events = events.filter(**{f"payload__{key}": value})
        if step.kind == ChallengeStep.Kind.STREAK:
            counted = (
                events.annotate(day=TruncDate("created_at"))
                .values("payload__profile")
                .annotate(n=Count("day", distinct=True))
            )
        else:
            counted = events.values("payload__profile").annotate(n=Count("id"))
        profiles = {
            str(row["payload__profile"]) for row in counted.filter(n__gte=step.required_count)
        }
        qualified = profiles if qualified is None else qualified & profiles
    if not qualified:
        return 0
    # Staff's test customers are nobody (`Profile.objects.counted`); they are few.
    tests = Profile.objects.filter(is_test=True).values_list("public_id", flat=True)
    return len(qualified - {str(public_id) for public_id in tests})


def challenge_list_for_choice() -> QuerySet[Challenge]:
    """Every challenge with only what a list to choose from shows."""
    return Challenge.objects.only("slug", "title")


def profile_progressed_since(*, moment) -> Exists:
    """For a query over profiles: progress in a challenge changed since the moment."""
    return Exists(
        ChallengeProgress.objects.filter(profile_id=OuterRef("pk"), updated_at__gte=moment)
    )


def profile_completed_challenge(*, slug: str) -> Exists:
    """For a query over profiles: completed the challenge."""
    return Exists(
        ChallengeProgress.objects.filter(
            profile_id=OuterRef("pk"), challenge__slug=slug, completed_at__isnull=False
        )
    )


def challenge_list_running(*, now, ending_by=None) -> QuerySet[Challenge]:
    """Challenges customers can take part in at `now`, soonest ending first; with
    `ending_by`, only those whose end is set and comes before it."""
    running = Challenge.objects.running(now)
    if ending_by is not None:
        running = running.filter(ends_at__lte=ending_by)
    return running.order_by(F("ends_at").asc(nulls_last=True), "position", "pk")
