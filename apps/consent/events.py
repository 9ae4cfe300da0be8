"""The events of consent: a customer's decisions, and staff's changes to purposes."""

from dataclasses import dataclass

from apps.core.events import Event


@dataclass(frozen=True, kw_only=True)
class ConsentDecision(Event):
    """What every decision about one purpose carries: which wording the customer saw, the
    receipt that proves it, and whether the customer or the system (e.g. a retention run)
    made it."""

    profile: str
    purpose: str
    version: int
    receipt_id: str
    trigger: str


@dataclass(frozen=True, kw_only=True)
class ConsentRequested(ConsentDecision):
    """A grant that waits for the customer to confirm their address (double opt-in)."""

    name = "consent.requested"


@dataclass(frozen=True, kw_only=True)
class ConsentGranted(ConsentDecision):
    name = "consent.granted"


@dataclass(frozen=True, kw_only=True)
class ConsentRefused(ConsentDecision):
    """A no while nothing was agreed to: no data was usable before, so nothing stops."""

    name = "consent.refused"


@dataclass(frozen=True, kw_only=True)
class ConsentWithdrawn(ConsentDecision):
    """A yes taken back: what was allowed under it stops."""

    name = "consent.withdrawn"


@dataclass(frozen=True, kw_only=True)
class ConsentDoubleOptInRequested(Event):
    """The address travels to the mail handler only; the link is made there from the
    receipt id, or is `link_token` when the request is kept in the link itself (a visitor
    without a profile, `apps.consent.double_opt_in`). Erasure removes the address from the
    stored event."""

    name = "consent.double_opt_in_requested"

    receipt_id: str
    email: str
    language: str
    link_token: str = ""


@dataclass(frozen=True, kw_only=True)
class PurposeVersionPublished(Event):
    name = "purpose.version_published"

    purpose: str
    version: int
    material: bool


@dataclass(frozen=True, kw_only=True)
class PurposeSaved(Event):
    name = "purpose.saved"

    purpose: str
