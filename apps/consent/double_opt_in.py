"""Double opt-in for visitors without a profile: the request is kept in its link.

Anyone can post an address to the consent panel without a cookie, so a request that wrote a
profile, a consent event and a state would leave one orphan profile per try. Instead the
signed link carries what the request event needs (the wording, where it was asked, when, and
the evidence hashes); nothing is stored but the mail's outbox row until someone confirms.
Confirming writes the request and the grant to the confirming browser's profile (made then
if it has none), the request under the receipt id chosen when the mail was sent: a link
works once because that id is unique.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.consent.events import ConsentDoubleOptInRequested
from apps.consent.evidence import Evidence
from apps.consent.models import Channel, ConsentEvent, PurposeVersion
from apps.consent.selectors import consent_double_opt_in_pending
from apps.consent.services import (
    DOUBLE_OPT_IN_SALT,
    _current_state,
    _published_current,
    _record,
    _refuse_sharing_under_gpc,
    confirmation_address_check,
    consent_confirm_double_opt_in,
    double_opt_in_link_data,
    double_opt_in_receipt_id,
)
from apps.core.events import publish
from apps.core.exceptions import ApplicationError
from apps.profiles.lock_objects import profile_lock
from apps.profiles.models import Profile
from apps.profiles.services import profile_ensure


@dataclass(frozen=True)
class PendingConsent:
    """A yes waiting for its link, read from the link itself."""

    receipt_id: uuid.UUID
    purpose_version: PurposeVersion
    collection_point: str
    language: str
    requested_at: datetime
    evidence: Evidence


def _used_or_invalid(receipt_id: uuid.UUID) -> None:
    if ConsentEvent.objects.filter(receipt_id=receipt_id).exists():
        raise ApplicationError(_("This confirmation link has already been used."))


def _pending_from(token: str) -> PendingConsent | None:
    """The request a link carries; None for a link to a stored request."""
    data = double_opt_in_link_data(token=token)
    if not isinstance(data, dict) or "v" not in data:
        return None
    version = PurposeVersion.objects.select_related("purpose").filter(pk=data["v"]).first()
    if version is None:
        raise ApplicationError(_("This confirmation link is not valid."))
    return PendingConsent(
        receipt_id=uuid.UUID(data["r"]),
        purpose_version=version,
        collection_point=data["c"],
        language=data["l"],
        requested_at=datetime.fromtimestamp(data["t"], tz=UTC),
        evidence=Evidence(ip_hmac=data["i"], user_agent_hmac=data["u"], gpc_signal=data["g"]),
    )


@transaction.atomic
def consent_request_by_link(
    *,
    purpose_version: PurposeVersion,
    collection_point: str,
    evidence: Evidence,
    language: str,
    email: str,
) -> uuid.UUID:
    """Send the confirmation link of a yes from a visitor without a profile; stores nothing
    but the mail's outbox row. Returns the receipt id the confirmed request will have."""
    purpose = _published_current(purpose_version)
    _refuse_sharing_under_gpc(purpose, evidence)
    confirmation_address_check(email)
    receipt_id = uuid.uuid4()
    link_token = signing.dumps(
        {
            "r": str(receipt_id),
            "v": purpose_version.pk,
            "c": collection_point[:200],
            "l": language,
            "t": int(timezone.now().timestamp()),
            "i": evidence.ip_hmac,
            "u": evidence.user_agent_hmac,
            "g": evidence.gpc_signal,
        },
        salt=DOUBLE_OPT_IN_SALT,
        compress=True,
    )
    publish(
        ConsentDoubleOptInRequested(
            receipt_id=str(receipt_id), email=email, language=language, link_token=link_token
        )
    )
    return receipt_id


def consent_link_check(*, token: str) -> PendingConsent | ConsentEvent:
    """What a confirmation link asks to agree to, without using it: the request it carries,
    or the stored request it points at. Both name the `purpose_version`."""
    pending = _pending_from(token)
    if pending is None:
        return consent_double_opt_in_pending(receipt_id=double_opt_in_receipt_id(token=token))
    _used_or_invalid(pending.receipt_id)
    return pending


@transaction.atomic
def consent_confirm_link(
    *, token: str, profile: Profile | None, evidence: Evidence
) -> ConsentEvent:
    """Confirm a link. A stored request is granted for the profile that asked; a request
    kept in the link is written now, with its grant, for `profile` (made if None)."""
    pending = _pending_from(token)
    if pending is None:
        return consent_confirm_double_opt_in(token=token, evidence=evidence)
    _used_or_invalid(pending.receipt_id)
    purpose = _published_current(pending.purpose_version)
    _refuse_sharing_under_gpc(purpose, evidence)
    profile = profile_ensure(profile=profile, locale=pending.language)
    profile_lock(profile=profile)
    state = _current_state(profile, purpose)
    if state and state.is_granted and state.version_id == pending.purpose_version.pk:
        raise ApplicationError(_("You have already agreed to this."))
    common = {
        "profile": profile,
        "version": pending.purpose_version,
        "channel": Channel.WEB,
        "collection_point": pending.collection_point,
        "language": pending.language,
    }
    try:
        with transaction.atomic():
            _record(
                action=ConsentEvent.Action.REQUEST,
                evidence=pending.evidence,
                receipt_id=pending.receipt_id,
                occurred_at=pending.requested_at,
                **common,
            )
    except IntegrityError:
        # The same link confirmed twice at once: the first one counts.
        raise ApplicationError(_("This confirmation link has already been used.")) from None
    return _record(
        action=ConsentEvent.Action.GRANT,
        trigger=ConsentEvent.Trigger.DOUBLE_OPT_IN,
        evidence=evidence,
        **common,
    )
