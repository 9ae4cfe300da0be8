"""The events about a person's profile: who they are, how they sign in, when they are gone.

A profile is named in every payload by its public id, never its primary key.
"""

from dataclasses import dataclass
from typing import Literal

from apps.core.events import Event


@dataclass(frozen=True, kw_only=True)
class ProfileCreated(Event):
    name = "profile.created"

    profile: str
    kind: str


@dataclass(frozen=True, kw_only=True)
class ProfileMerged(Event):
    """`merged` was folded into `profile`; each app moves its own part in a subscriber."""

    name = "profile.merged"

    profile: str
    merged: str


@dataclass(frozen=True, kw_only=True)
class ProfileIdentified(Event):
    """A visitor became a member by an identifier of this kind (e-mail, a partner's id)."""

    name = "profile.identified"

    profile: str
    identifier: str
    new_member: bool = True


@dataclass(frozen=True, kw_only=True)
class ProfileSignInRequested(Event):
    """A magic link was made; the mail is sent from the relay. No address, no token here."""

    name = "profile.sign_in_requested"

    link: str
    language: str


@dataclass(frozen=True, kw_only=True)
class ProfileSignedIn(Event):
    name = "profile.signed_in"

    profile: str
    method: Literal["magic_link"] = "magic_link"


@dataclass(frozen=True, kw_only=True)
class ProfileSignedOutEverywhere(Event):
    name = "profile.signed_out_everywhere"

    profile: str


@dataclass(frozen=True, kw_only=True)
class ProfileErased(Event):
    """A person's erasure finished. Published by the privacy app; defined here, beside the
    profile it is about, so partners, lower in the layers than privacy, can listen to it.

    By the time it is relayed the person's identifiers are gone, so the event itself names
    the partners that knew them (their keys) and the data-subject request."""

    name = "profile.erased"

    profile: str
    partners: list[str]
    request: str
