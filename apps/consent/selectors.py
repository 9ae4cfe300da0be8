"""Reads of consent that every other app uses: one place applies the rules."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from apps.consent.models import ConsentEvent, ConsentState, Purpose, PurposeVersion
from apps.core.exceptions import ApplicationError
from apps.profiles.models import Profile
from apps.profiles.selectors import profile_and_merged_ids

# Renewed by every change to a purpose: what other apps keep of purposes follows it.
PURPOSES_VERSION = "consent.purposes"


def _states_for(purpose_key: str, *, for_new_collection: bool) -> QuerySet[ConsentState]:
    # By id from a one-time subquery rather than a join: every consent check in a segment
    # or a ranking runs once per row, and the join cost more than the check.
    purpose_id = Subquery(Purpose.objects.filter(key=purpose_key).values("pk")[:1])
    states = ConsentState.objects.filter(purpose_id=purpose_id)
    return states.covering_new_collection() if for_new_collection else states.granted()


def consent_granted_profile_ids(
    *, purpose_key: str, profile_ids: Iterable[int], for_new_collection: bool = False
) -> set[int]:
    """Which of these profiles may be used for the purpose now, in one query.

    Use of data already collected needs a grant of any version; collecting new data needs a
    grant of a version at or after the purpose's last material change.
    """
    states = _states_for(purpose_key, for_new_collection=for_new_collection)
    return set(states.filter(profile_id__in=list(profile_ids)).values_list("profile_id", flat=True))


def consent_is_granted(
    *, profile: Profile, purpose_key: str, for_new_collection: bool = False
) -> bool:
    return bool(
        consent_granted_profile_ids(
            purpose_key=purpose_key,
            profile_ids=[profile.pk],
            for_new_collection=for_new_collection,
        )
    )


def consent_granted_exists(
    *, purpose_key: str, profile_ref: str = "pk", for_new_collection: bool = False
) -> Exists:
    """An EXISTS clause for querysets over profiles (segments, exports): consent in SQL."""
    states = _states_for(purpose_key, for_new_collection=for_new_collection)
    return Exists(states.filter(profile_id=OuterRef(profile_ref)))


def consent_state_list_granted(*, profile: Profile | None = None) -> QuerySet[ConsentState]:
    """Current grants (of any version), of one profile or of everyone."""
    states = ConsentState.objects.granted()
    return states if profile is None else states.filter(profile=profile)


def consent_state_list(*, profile: Profile, purposes: Iterable[Purpose]) -> QuerySet[ConsentState]:
    """The profile's current answers (granted, pending, refused or withdrawn) on these
    purposes."""
    return ConsentState.objects.filter(profile=profile, purpose__in=purposes)


def consent_changed_exists(*, profile_ref: str, since: datetime) -> Exists:
    """EXISTS clause: the row's profile answered a purpose at or after `since`."""
    return Exists(
        ConsentState.objects.filter(profile_id=OuterRef(profile_ref), updated_at__gte=since)
    )


def consent_withdrawn_exists(*, profile_ref: str, purpose: Purpose, before: datetime) -> Exists:
    """EXISTS clause: the row's profile said no to the purpose (withdrew it, or refused it
    without ever agreeing) before `before` and has not granted it again since."""
    return Exists(
        ConsentState.objects.declined().filter(
            profile_id=OuterRef(profile_ref), purpose=purpose, updated_at__lt=before
        )
    )


def purpose_list_published() -> QuerySet[Purpose]:
    return Purpose.objects.filter(current_version__isnull=False).select_related("current_version")


def purpose_get_published(*, key: str) -> Purpose | None:
    return purpose_list_published().filter(key=key).first()


@dataclass(frozen=True)
class PurposeChoice:
    """One row of the consent panel: the wording to show and the customer's current answer."""

    purpose: Purpose
    version: PurposeVersion
    state: ConsentState | None

    @property
    def status(self) -> str:
        return self.state.status if self.state else ""

    @property
    def is_granted(self) -> bool:
        return self.status == ConsentState.Status.GRANTED

    @property
    def is_pending(self) -> bool:
        return self.status == ConsentState.Status.PENDING

    @property
    def is_declined(self) -> bool:
        return self.status in ConsentState.DECLINED

    @property
    def needs_reprompt(self) -> bool:
        """Agreed to an older wording that changed materially: ask again."""
        return self.is_granted and self.state.version.version < self.purpose.material_version_number


def consent_choices(
    *, profile: Profile | None, purpose_keys: Iterable[str] | None = None
) -> list[PurposeChoice]:
    """Every published purpose (or those named) with the profile's current answer."""
    purposes = purpose_list_published()
    if purpose_keys is not None:
        purposes = purposes.filter(key__in=list(purpose_keys))
    purposes = list(purposes)
    states: dict[int, ConsentState] = {}
    if profile:
        states = {
            state.purpose_id: state
            for state in ConsentState.objects.filter(
                profile=profile, purpose__in=purposes
            ).select_related("version")
        }
    return [PurposeChoice(p, p.current_version, states.get(p.pk)) for p in purposes]


def consent_reprompt_choices(*, profile: Profile | None) -> list[PurposeChoice]:
    if not profile:
        return []
    return [choice for choice in consent_choices(profile=profile) if choice.needs_reprompt]


def consent_event_list(*, profile: Profile | None) -> QuerySet[ConsentEvent]:
    """The profile's decisions (and those of profiles merged into it), each with its
    `decision` in today's vocabulary: a stored "no" reads as a refusal or a withdrawal."""
    if not profile:
        return ConsentEvent.objects.none()
    return (
        ConsentEvent.objects.filter(profile__in=profile_and_merged_ids(profile=profile))
        .select_related("purpose", "purpose_version")
        .with_decision()
    )


def consent_event_get_for_receipt(
    *, profile: Profile | None, receipt_id: uuid.UUID
) -> ConsentEvent | None:
    """The profile's own event with this receipt id; None for anyone else's or a forged id."""
    return (
        consent_event_list(profile=profile)
        .select_related("profile", "purpose__current_version")
        .filter(receipt_id=receipt_id)
        .first()
    )


def consent_sale_or_share_open(*, profile: Profile) -> bool:
    """Whether a sale/share purpose is granted or pending: what a GPC signal must withdraw."""
    return ConsentState.objects.filter(
        profile=profile,
        purpose__is_sale_or_share=True,
        status__in=[ConsentState.Status.GRANTED, ConsentState.Status.PENDING],
    ).exists()


def consent_grant_event(
    *, profile: Profile, purpose: Purpose, for_new_collection: bool = True
) -> ConsentEvent | None:
    """The grant that currently allows using (or collecting) data for the purpose, if any."""
    states = ConsentState.objects.filter(profile=profile, purpose=purpose)
    states = states.covering_new_collection() if for_new_collection else states.granted()
    state = states.select_related("event").first()
    return state.event if state else None


def consent_granted_for_purpose_of(*, profile_ref: str, purpose_ref: str) -> Exists:
    """EXISTS clause: the row's profile has granted the row's purpose (any version)."""
    return Exists(
        ConsentState.objects.granted().filter(
            profile_id=OuterRef(profile_ref), purpose_id=OuterRef(purpose_ref)
        )
    )


def consent_double_opt_in_pending(*, receipt_id: str) -> ConsentEvent:
    """The opt-in request a link confirms, while it is still the customer's latest answer."""
    try:
        receipt_uuid = uuid.UUID(receipt_id)
    except ValueError:
        receipt_uuid = None
    event = (
        ConsentEvent.objects.filter(receipt_id=receipt_uuid, action=ConsentEvent.Action.REQUEST)
        .select_related("profile", "purpose_version__purpose")
        .first()
        if receipt_uuid
        else None
    )
    if event is None:
        raise ApplicationError(_("This confirmation link is not valid."))
    # The state follows its person through a merge; the request stays with whoever asked.
    if not ConsentState.objects.filter(event=event).exists():
        raise ApplicationError(_("This confirmation link has already been used."))
    return event
