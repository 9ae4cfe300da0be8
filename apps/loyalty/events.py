"""The events of the loyalty programme: points, tiers, badges and rewards."""

from dataclasses import dataclass

from apps.core.events import Event


@dataclass(frozen=True, kw_only=True)
class PointsChanged(Event):
    """One ledger entry: `amount` is signed, `kind` the entry's kind (earn, redeem, expire...),
    `balance` the account's balance after it."""

    name = "points.changed"

    profile: str
    amount: int
    kind: str
    balance: int


@dataclass(frozen=True, kw_only=True)
class TierChanged(Event):
    """The tier's key now and before; None is no tier."""

    name = "tier.changed"
    # Insights counts tier moves from these rows, back to the first one.
    kept_in_outbox = True

    profile: str
    tier: str | None
    previous: str | None


@dataclass(frozen=True, kw_only=True)
class BadgeAwarded(Event):
    name = "badge.awarded"

    profile: str
    badge: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class RewardRedeemed(Event):
    name = "reward.redeemed"

    profile: str
    reward: int
    redemption: int


@dataclass(frozen=True, kw_only=True)
class RewardCancelled(Event):
    name = "reward.cancelled"

    redemption: int
    reward: int
