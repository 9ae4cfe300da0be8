"""The events of declared preferences and of the vocabulary they are declared in."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from apps.core.events import Event

if TYPE_CHECKING:
    from apps.preferences.models import Declaration


@dataclass(frozen=True, kw_only=True)
class DeclarationEvent(Event):
    """What happened to one declaration. The value stays out of the outbox: subscribers read
    it through the consent-aware selector, so a withdrawal hides it from them too."""

    profile: str
    attribute: str
    purpose: str
    source: str

    @classmethod
    def of(cls, declaration: "Declaration", **extra: str) -> Self:
        return cls(
            profile=str(declaration.profile.public_id),
            attribute=declaration.attribute.key,
            purpose=declaration.attribute.purpose.key,
            source=declaration.source,
            **extra,
        )


@dataclass(frozen=True, kw_only=True)
class PreferenceDeclared(DeclarationEvent):
    name = "preference.declared"


@dataclass(frozen=True, kw_only=True)
class PreferenceConfirmed(DeclarationEvent):
    """'Still true'. One confirmation per freshness period counts: the key names the period."""

    name = "preference.confirmed"

    idempotency_key: str


@dataclass(frozen=True, kw_only=True)
class PreferenceDeleted(DeclarationEvent):
    name = "preference.deleted"


@dataclass(frozen=True, kw_only=True)
class AttributeSaved(Event):
    name = "attribute.saved"

    attribute: str
    purpose: str
