import logging
import re
import uuid
from datetime import date, datetime

from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from apps.challenges.events import ChallengeCompleted
from apps.challenges.models import (
    Challenge,
    ChallengeProgress,
    ChallengeStep,
    CountedEvent,
    LeaderboardName,
    StepProgress,
)
from apps.challenges.periods import period_of, streak_index
from apps.consent.selectors import consent_is_granted
from apps.core.events import publish
from apps.core.exceptions import ApplicationError
from apps.core.images import image_renditions
from apps.core.models import OutboxEvent
from apps.core.process_cache import ProcessCache
from apps.loyalty.selectors import account_for_profile
from apps.loyalty.services import account_lock, badge_award
from apps.profiles.models import Profile

logger = logging.getLogger(__name__)

# Per process: every event asks which names any step listens to.
STEP_EVENTS = ProcessCache("challenges.step-events", check_every=1)
BOARD_GENERATION_KEY = "challenges:board-generation"
LEADERBOARD_PURPOSE = "leaderboard"


def step_event_names() -> set[str]:
    return STEP_EVENTS.get(
        lambda: set(
            ChallengeStep.objects.filter(challenge__is_active=True).values_list(
                "event_name", flat=True
            )
        )
    )


def challenge_steps_changed() -> None:
    """Steps were added, changed or removed: every process listens to their events anew."""
    STEP_EVENTS.forget()


def _matches(step: ChallengeStep, payload: dict) -> bool:
    return all(str(payload.get(key)) == str(value) for key, value in step.conditions.items())


def _in_window(step: ChallengeStep, at: datetime) -> bool:
    return (step.window_starts_at is None or step.window_starts_at <= at) and (
        step.window_ends_at is None or at < step.window_ends_at
    )


def _tier_allows(challenge: Challenge, profile: Profile) -> bool:
    if challenge.minimum_tier_id is None:
        return True
    account = account_for_profile(profile=profile)
    return bool(
        account and account.tier and account.tier.threshold >= challenge.minimum_tier.threshold
    )


def _progress_locked(
    profile: Profile, challenge: Challenge, period: str
) -> tuple[ChallengeProgress, bool]:
    """The progress row, locked, and whether this transaction made it (then it has no steps
    counted yet, and no other transaction sees it before commit)."""
    locked = ChallengeProgress.objects.select_for_update()
    progress = locked.filter(profile=profile, challenge=challenge, period=period).first()
    if progress is not None:
        return progress, False
    try:
        with transaction.atomic():
            made = ChallengeProgress.objects.create(
                profile=profile, challenge=challenge, period=period
            )
    except IntegrityError:
        pass  # a parallel event created it a moment ago
    else:
        return made, True  # a row this transaction inserted is locked by it already
    return locked.get(profile=profile, challenge=challenge, period=period), False


def _count_once(
    progress: ChallengeProgress, step: ChallengeStep, event: OutboxEvent, *, new: bool
) -> StepProgress | None:
    """The step's progress with this event counted, or None when it was counted before. On
    a progress row made by this transaction nothing was counted and nobody else can write,
    so the rows are inserted without looking or savepoints."""
    if new:
        step_progress = StepProgress.objects.create(progress=progress, step=step)
        CountedEvent.objects.create(step_progress=step_progress, event_id=event.pk)
        return step_progress
    step_progress, _created = StepProgress.objects.get_or_create(progress=progress, step=step)
    try:
        with transaction.atomic():
            CountedEvent.objects.create(step_progress=step_progress, event_id=event.pk)
    except IntegrityError:
        return None  # this event was counted before
    return step_progress


def _advance(step_progress: StepProgress, step: ChallengeStep, local_day: date) -> None:
    if step.kind == ChallengeStep.Kind.COUNT:
        step_progress.count += 1
    else:
        today = streak_index(step, local_day)
        last = step_progress.last_period
        if last is None or today - last > 1 + step.grace_periods:
            step_progress.count = 1
        elif today > last:
            step_progress.count += 1
        step_progress.last_period = max(today, last or today)
        step_progress.best = max(step_progress.best, step_progress.count)
    step_progress.save(update_fields=["count", "last_period", "best"])


def challenges_advance(*, event: OutboxEvent) -> list[ChallengeProgress]:
    """Count an event towards every running challenge step it satisfies, in the transaction of
    the action itself and once per event: replaying the same event counts nothing.

    Most events concern no step; they leave without a query or a savepoint.
    """
    if event.name not in step_event_names() or "profile" not in event.payload:
        return []
    return _advance_all(event)


# Runs inside the publishing transaction; duplicates are caught by savepoints of their own
# below, so one around the whole would guard nothing.
@transaction.atomic(savepoint=False)
def _advance_all(event: OutboxEvent) -> list[ChallengeProgress]:
    at = event.created_at or timezone.now()
    steps = [
        step
        for step in ChallengeStep.objects.select_related("challenge__minimum_tier").filter(
            event_name=event.name, challenge__in=Challenge.objects.running(at)
        )
        if _matches(step, event.payload) and _in_window(step, at)
    ]
    if not steps:
        return []
    profile = Profile.objects.filter(public_id=event.payload["profile"]).first()
    if profile is None or profile.is_merged:
        return []
    local_day = timezone.localtime(at, profile.zone).date()
    # The account first, as every points path takes it, then progress rows in id order:
    # completing pays points, and a redemption (account first) may count as a step.
    account_lock(profile=profile)
    advanced = []
    for challenge in sorted({step.challenge for step in steps}, key=lambda c: c.pk):
        if not _tier_allows(challenge, profile):
            continue
        period = period_of(challenge, local_day)
        progress, new = _progress_locked(profile, challenge, period)
        if progress.completed_at is not None:
            continue
        for step in (s for s in steps if s.challenge_id == challenge.pk):
            step_progress = _count_once(progress, step, event, new=new)
            if step_progress is not None:
                _advance(step_progress, step, local_day)
        _settle(progress, challenge, profile)
        advanced.append(progress)
    return advanced


def _settle(progress: ChallengeProgress, challenge: Challenge, profile: Profile) -> None:
    """Score the progress (steps done, each capped at what it needs); complete it when every
    step is done, publish ChallengeCompleted and award the challenge's badge."""
    needed = list(challenge.steps.values_list("pk", "required_count"))
    # A streak once long enough stays done, even if it breaks before the other steps are.
    done = {
        step_id: max(count, best)
        for step_id, count, best in StepProgress.objects.filter(progress=progress).values_list(
            "step_id", "count", "best"
        )
    }
    progress.score = sum(min(done.get(pk, 0), required) for pk, required in needed)
    progress.updated_at = timezone.now()
    complete = all(done.get(pk, 0) >= required for pk, required in needed)
    if complete:
        progress.completed_at = progress.updated_at
    progress.save(update_fields=["score", "updated_at", "completed_at"])
    if not complete:
        return
    completed_total = ChallengeProgress.objects.filter(
        profile=profile, completed_at__isnull=False
    ).count()
    publish(
        ChallengeCompleted(
            profile=str(profile.public_id),
            challenge=challenge.slug,
            period=progress.period,
            completed_total=completed_total,
        )
    )
    if challenge.badge_id:
        badge_award(profile=profile, badge=challenge.badge, reason=f"challenge:{challenge.slug}")


@transaction.atomic
def challenge_save(*, challenge: Challenge) -> Challenge:
    challenge.full_clean()
    challenge.save()
    challenge_steps_changed()
    return challenge


@transaction.atomic
def challenge_set_image(*, challenge: Challenge, upload: UploadedFile) -> Challenge:
    """A clean 600 x 300 rendition without EXIF, under a fresh name so caches never mix."""
    rendition = image_renditions(upload, {"image": (600, 300)})["image"]
    challenge.image.save(f"{uuid.uuid4().hex}-{rendition.name}", rendition, save=False)
    challenge.save(update_fields=["image", "updated_at"])
    return challenge


@transaction.atomic
def challenge_progress_merge_profiles(*, source: Profile, target: Profile) -> None:
    """A merged profile's progress moves to the member where the member has none for that
    challenge and period; where both have some, the further one is kept."""
    kept = {(p.challenge_id, p.period): p for p in ChallengeProgress.objects.filter(profile=target)}
    for progress in ChallengeProgress.objects.filter(profile=source):
        other = kept.get((progress.challenge_id, progress.period))
        if other is None:
            ChallengeProgress.objects.filter(pk=progress.pk).update(profile=target)
        elif (progress.completed_at is not None, progress.score) > (
            other.completed_at is not None,
            other.score,
        ):
            other.delete()
            ChallengeProgress.objects.filter(pk=progress.pk).update(profile=target)
    if not LeaderboardName.objects.filter(profile=target).exists():
        LeaderboardName.objects.filter(profile=source).update(profile=target)
    transaction.on_commit(leaderboards_changed)


# A name of 3 to 24 letters, digits, spaces, dots, dashes or underscores.
DISPLAY_NAME = re.compile(r"^[\w .\-]{3,24}$")
# Kept short on purpose: the brand adds to it; matching ignores case, spaces and digits.
OFFENSIVE_WORDS = (
    "arsch",
    "fick",
    "fuck",
    "hitler",
    "hure",
    "idiot",
    "nazi",
    "nutte",
    "penis",
    "scheiss",
    "scheiß",
    "schlampe",
    "shit",
    "wichser",
)


LOOKALIKES = str.maketrans("013457$@", "oieastsa")


def _squashed(name: str) -> str:
    """Lower case, look-alike digits read as letters, everything else dropped: "Sch3i55e"."""
    return re.sub(r"[\W\d_]+", "", name.lower().translate(LOOKALIKES))


@transaction.atomic
def leaderboard_join(*, profile: Profile, display_name: str) -> LeaderboardName:
    """Show on leaderboards under a pseudonym; needs the `leaderboard` purpose granted."""
    name = " ".join((display_name or "").split())
    if not consent_is_granted(
        profile=profile, purpose_key=LEADERBOARD_PURPOSE, for_new_collection=True
    ):
        raise ApplicationError(
            _("To appear on leaderboards, agree to “Leaderboards” in your privacy choices first.")
        )
    if not DISPLAY_NAME.match(name):
        raise ApplicationError(
            _("A display name has 3 to 24 letters, digits, spaces, dots or dashes.")
        )
    if any(word in _squashed(name) for word in OFFENSIVE_WORDS):
        raise ApplicationError(_("Please choose a friendlier display name."))
    if "@" in display_name:
        raise ApplicationError(_("A display name must not be an e-mail address."))
    taken = LeaderboardName.objects.filter(display_name__iexact=name).exclude(profile=profile)
    if taken.exists():
        raise ApplicationError(_("This display name is taken. Please choose another."))
    try:
        with transaction.atomic():
            entry, _created = LeaderboardName.objects.update_or_create(
                profile=profile, defaults={"display_name": name}
            )
    except IntegrityError as error:
        raise ApplicationError(_("This display name is taken. Please choose another.")) from error
    transaction.on_commit(leaderboards_changed)
    return entry


@transaction.atomic
def leaderboard_leave(*, profile: Profile) -> None:
    LeaderboardName.objects.filter(profile=profile).delete()
    transaction.on_commit(leaderboards_changed)


def leaderboards_changed() -> None:
    """Every cached ranking is stale: the next render computes afresh."""
    try:
        cache.incr(BOARD_GENERATION_KEY)
    except ValueError:
        cache.set(BOARD_GENERATION_KEY, 1, None)
    except RedisError:
        logger.warning("Leaderboard cache not reachable; rankings expire on their own.")
