"""The events of campaigns: a customer's play, and a campaign's life.

A play's events carry the same three names (profile, campaign, participation) and an
idempotency key for the occurrence, so loyalty and challenges count each occurrence once
however often it is replayed.
"""

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Self

from apps.core.events import Event, KeyedEvent

if TYPE_CHECKING:
    from apps.campaigns.models import Participation


@dataclass(frozen=True, kw_only=True)
class PlayEvent(KeyedEvent):
    profile: str
    campaign: str
    participation: int

    @classmethod
    def of(cls, participation: "Participation", **fields: Any) -> Self:
        return cls(
            profile=str(participation.profile.public_id),
            campaign=participation.campaign.slug,
            participation=participation.pk,
            **fields,
        )


@dataclass(frozen=True, kw_only=True)
class ParticipationStarted(PlayEvent):
    name = "participation.started"

    @property
    def idempotency_key(self) -> str:
        return f"participation:{self.participation}:start"


@dataclass(frozen=True, kw_only=True)
class QuestionAnswered(PlayEvent):
    name = "question.answered"

    question: int

    @property
    def idempotency_key(self) -> str:
        # Re-answering a question is the same occurrence: a rule on it pays once.
        return f"participation:{self.participation}:question:{self.question}"


@dataclass(frozen=True, kw_only=True)
class QuizCompleted(PlayEvent):
    """A quiz, poll or survey finished (`kind` says which); `outcome` is the outcome's key.
    `points_withheld` names why it earns no points now (`loyalty.models.PointsWithheld`)."""

    name = "quiz.completed"

    kind: str
    score: int
    outcome: str | None
    points_withheld: str = ""

    @classmethod
    def of_finished(cls, participation: "Participation", **fields: Any) -> Self:
        """The event of a finished play, as its row says; `fields` replace values."""
        values = {
            "kind": participation.campaign.kind,
            "score": participation.score,
            "outcome": participation.outcome.key if participation.outcome else None,
            "points_withheld": participation.points_withheld,
            **fields,
        }
        return cls.of(participation, **values)

    @property
    def idempotency_key(self) -> str:
        # Loyalty credits once per participation, however often this is replayed.
        return f"participation:{self.participation}"


@dataclass(frozen=True, kw_only=True)
class CampaignPublished(Event):
    """Staff sent a campaign live, or scheduled it (`status` says which)."""

    name = "campaign.published"

    campaign: str
    status: str


@dataclass(frozen=True, kw_only=True)
class CampaignStarted(Event):
    """A scheduled campaign reached its start."""

    name = "campaign.started"

    campaign: str


@dataclass(frozen=True, kw_only=True)
class CampaignEnded(Event):
    name = "campaign.ended"

    campaign: str


@dataclass(frozen=True, kw_only=True)
class CampaignViewed(Event):
    """Views of a campaign's page counted in the cache, written as one row per day."""

    name = "campaign.viewed"

    campaign: str
    day: date
    views: int
