"""Events for tests of the event machinery and of subscribers.

`publish_part` publishes an app's event with only the part of its payload a test needs (a
subscriber that reads the profile only); `Happened` and `OtherHappened` are events no app publishes.
"""

from dataclasses import dataclass
from typing import Any

from apps.core.events import Event, publish
from apps.core.models import OutboxEvent


@dataclass(frozen=True)
class _Part(Event):
    definition: type[Event]
    data: dict[str, Any]

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.definition.name

    def payload(self) -> dict[str, Any]:
        return self.data


def publish_part(definition: type[Event], **payload: Any) -> OutboxEvent:
    return publish(_Part(definition, payload))


@dataclass(frozen=True, kw_only=True)
class Happened(Event):
    name = "test.happened"

    campaign: str = "summer"


@dataclass(frozen=True, kw_only=True)
class OtherHappened(Event):
    name = "test.other_happened"
