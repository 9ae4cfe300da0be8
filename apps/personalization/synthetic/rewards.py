"""What the synthetic customers' plays earned them: points per finished play through the
earning rules, challenge progress (and the points for completing one), tiers with their
moves, some redemptions, and names on the leaderboard for those who agreed to it."""

import random
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from apps.challenges.models import Challenge, ChallengeProgress, ChallengeStep, LeaderboardName
from apps.challenges.periods import period_of, streak_index
from apps.core.models import OutboxEvent
from apps.loyalty.events import TierChanged
from apps.loyalty.models import (
    Account,
    EarningRule,
    LedgerEntry,
    Redemption,
    Reward,
    Tier,
    rule_credit_key,
    rule_source_ref,
)
from apps.personalization.synthetic.plays import Play
from apps.personalization.synthetic.writing import reserve_ids, write

REDEEM_RATE = 0.45
NAMES = ["Snackfan", "Knusperkönigin", "Chipsprofi", "Naschkatze", "Quizheld", "Sortenjägerin"]


def _progress(challenge: Challenge, steps: list[ChallengeStep], plays: list[Play], zone):
    """Per period: (steps done, completed at) of one customer's way through a challenge,
    counting the quiz completions its steps ask for."""
    periods = defaultdict(list)
    for play in plays:
        day = play.completed_at.astimezone(zone).date()
        periods[period_of(challenge, day)].append((play, day))
    for period, played in periods.items():
        done, finished = 0, []
        for step in steps:
            wanted = step.conditions.get("campaign") if step.conditions else None
            matching = [(p, d) for p, d in played if wanted in (None, p.campaign)]
            count, best, last, reached = 0, 0, None, None
            for play, day in matching:
                if step.kind == ChallengeStep.Kind.STREAK:
                    index = streak_index(step, day)
                    if last is None or index - last > 1 + step.grace_periods:
                        count = 1
                    elif index > last:
                        count += 1
                    last = max(index, last or index)
                else:
                    count += 1
                best = max(best, count)
                if best >= step.required_count and reached is None:
                    reached = play.completed_at
            done += min(best, step.required_count)
            finished.append(reached)
        if done:
            completed = max(finished) if all(finished) else None
            yield period, done, completed


def _challenges(profiles, plays_of, on_leaderboard, chance) -> dict[int, list[datetime]]:
    """Challenge progress and leaderboard names; returns each customer's completions."""
    zone = ZoneInfo(settings.TIME_ZONE)
    challenges = [
        (challenge, steps)
        for challenge in Challenge.objects.filter(is_active=True).prefetch_related("steps")
        if (steps := list(challenge.steps.order_by("position")))
        and all(step.event_name == "quiz.completed" for step in steps)
    ]
    rows, completions = [], defaultdict(list)
    for pk, _public_id, _created in profiles:
        plays = sorted(plays_of.get(pk, []), key=lambda play: play.completed_at)
        for challenge, steps in challenges:
            for period, score, completed in _progress(challenge, steps, plays, zone):
                updated = completed or plays[-1].completed_at
                rows.append((pk, challenge.pk, period, score, completed, updated))
                if completed:
                    completions[pk].append(completed)
    write(
        ChallengeProgress,
        ["profile_id", "challenge_id", "period", "score", "completed_at", "updated_at"],
        rows,
    )
    names = [
        (pk, f"{chance.choice(NAMES)} {pk}", created)
        for pk, _public_id, created in profiles
        if pk in on_leaderboard
    ]
    write(LeaderboardName, ["profile_id", "display_name", "created_at"], names)
    return completions


def rewards_generate(
    *, profiles: list[tuple], plays: list[Play], on_leaderboard: set[int], now, chance
) -> None:
    plays_of = defaultdict(list)
    for play in plays:
        plays_of[play.profile_id].append(play)
    completions = _challenges(profiles, plays_of, on_leaderboard, chance)
    rules = {
        rule.event_name: rule
        for rule in EarningRule.objects.filter(
            event_name__in=["quiz.completed", "challenge.completed"]
        ).order_by("-pk")
    }
    quiz, challenge = rules.get("quiz.completed"), rules.get("challenge.completed")
    rewards = [
        reward
        for reward in Reward.objects.filter(is_active=True, stock__isnull=True).order_by("cost")
        if reward.minimum_tier_id is None
    ]
    tiers = list(Tier.objects.order_by("threshold"))
    validity = timedelta(days=settings.LOYALTY_POINTS_VALIDITY_DAYS)
    earned_by = {}
    for pk, _public_id, _created in profiles:
        earned = [
            (play.completed_at, quiz, f"participation:{play.pk}")
            for play in plays_of.get(pk, [])
            if quiz
        ]
        earned += [
            (moment, challenge, f"generated:{pk}:challenge:{index}")
            for index, moment in enumerate(completions.get(pk, []))
            if challenge
        ]
        if earned:
            earned_by[pk] = sorted(earned, key=lambda entry: entry[0])
    first_account = reserve_ids(Account, len(earned_by))
    accounts, entries, redemptions, moves = [], [], [], []
    first_entry = reserve_ids(LedgerEntry, sum(len(earned) + 1 for earned in earned_by.values()))
    public = {pk: public_id for pk, public_id, _created in profiles}
    for n, (pk, earned) in enumerate(earned_by.items()):
        account_id = first_account + n
        total, tier = 0, None
        for moment, rule, occurrence in earned:
            key = rule_credit_key(rule.pk, occurrence)
            entry_id = first_entry + len(entries)
            entries.append(
                (
                    entry_id,
                    account_id,
                    rule.points,
                    "earn",
                    rule.name,
                    rule_source_ref(rule.pk),
                    key,
                    moment,
                    moment + validity,
                )
            )
            total += rule.points
            reached = [t for t in tiers if t.threshold <= total]
            if reached and reached[-1] != tier:
                moves.append((pk, reached[-1], tier, moment))
                tier = reached[-1]
        balance = total
        affordable = [reward for reward in rewards if reward.cost <= total]
        if affordable and chance.random() < REDEEM_RATE:
            reward = chance.choice(affordable)
            moment = earned[-1][0] + (now - earned[-1][0]) * chance.random()
            entry_id = first_entry + len(entries)
            entries.append(
                (
                    entry_id,
                    account_id,
                    -reward.cost,
                    "redeem",
                    reward.title,
                    f"reward:{reward.pk}",
                    f"generated:{pk}:redeem",
                    moment,
                    None,
                )
            )
            redemptions.append((account_id, reward.pk, "active", _code(chance), entry_id, moment))
            balance -= reward.cost
        accounts.append(
            (account_id, earned[0][0], now, pk, balance, total, tier.pk if tier else None)
        )
    write(
        Account,
        ["id", "created_at", "updated_at", "profile_id", "balance", "lifetime_earned", "tier_id"],
        accounts,
    )
    write(
        LedgerEntry,
        [
            "id",
            "account_id",
            "amount",
            "kind",
            "reason",
            "source_ref",
            "idempotency_key",
            "created_at",
            "expires_at",
        ],
        entries,
    )
    write(
        Redemption,
        ["account_id", "reward_id", "status", "code", "debit_id", "created_at"],
        redemptions,
    )
    # The tier moves as the loyalty service announces them, already relayed.
    write(
        OutboxEvent,
        ["name", "payload", "created_at", "published_at", "relay_attempts"],
        [
            (
                TierChanged.name,
                {
                    "profile": str(public[pk]),
                    "tier": tier.key,
                    "previous": previous.key if previous else None,
                },
                moment,
                moment,
                0,
            )
            for pk, tier, previous, moment in moves
        ],
    )


def _code(chance: random.Random) -> str:
    raw = "".join(chance.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))
