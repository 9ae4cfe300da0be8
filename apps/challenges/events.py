"""The events of challenges."""

from dataclasses import dataclass

from apps.core.events import KeyedEvent


@dataclass(frozen=True, kw_only=True)
class ChallengeCompleted(KeyedEvent):
    """Every step of a challenge done in one period (a week, a month, or once);
    `completed_total` counts the customer's completed challenges, for count badges."""

    name = "challenge.completed"

    profile: str
    challenge: str
    period: str
    completed_total: int

    @property
    def idempotency_key(self) -> str:
        # Loyalty credits a challenge once per period, however often the event is replayed.
        return f"challenge:{self.challenge}:{self.period}"
