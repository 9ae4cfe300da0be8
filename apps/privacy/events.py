"""The events of data-subject requests. The erasure's end is `ProfileErased`, defined with the
profile in apps.profiles.events, since partners (below privacy) must hear of it."""

from dataclasses import dataclass

from apps.core.events import Event


@dataclass(frozen=True, kw_only=True)
class DataRequestCreated(Event):
    """A customer (or staff for them) asked for an export or an erasure."""

    name = "data_request.created"

    request: str
    kind: str
    channel: str


@dataclass(frozen=True, kw_only=True)
class DataRequestCompleted(Event):
    """An export or erasure finished; an export's mail is sent from the relay."""

    name = "data_request.completed"

    request: str
    kind: str
