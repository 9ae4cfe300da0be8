import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from modeltranslation.utils import get_translation_fields

from apps.consent.events import (
    ConsentDecision,
    ConsentDoubleOptInRequested,
    ConsentGranted,
    ConsentRefused,
    ConsentRequested,
    ConsentWithdrawn,
    PurposeSaved,
    PurposeVersionPublished,
)
from apps.consent.evidence import Evidence
from apps.consent.models import (
    Channel,
    ConsentEvent,
    ConsentState,
    Purpose,
    PurposeVersion,
)
from apps.consent.selectors import PURPOSES_VERSION, consent_double_opt_in_pending
from apps.core.events import publish
from apps.core.exceptions import ApplicationError
from apps.core.process_cache import versions_renew
from apps.profiles.lock_objects import profile_lock
from apps.profiles.models import Profile
from apps.profiles.services import profile_ensure

DOUBLE_OPT_IN_SALT = "resonanz.consent.double-opt-in"
DOUBLE_OPT_IN_RESEND_AFTER = timedelta(minutes=10)

_EVENT_FOR_ACTION: dict[str, type[ConsentDecision]] = {
    ConsentEvent.Action.REQUEST: ConsentRequested,
    ConsentEvent.Action.GRANT: ConsentGranted,
    ConsentEvent.Action.REFUSE: ConsentRefused,
    ConsentEvent.Action.WITHDRAW: ConsentWithdrawn,
}
_STATUS_AFTER = {
    ConsentEvent.Action.REQUEST: ConsentState.Status.PENDING,
    ConsentEvent.Action.GRANT: ConsentState.Status.GRANTED,
    ConsentEvent.Action.REFUSE: ConsentState.Status.REFUSED,
    ConsentEvent.Action.WITHDRAW: ConsentState.Status.WITHDRAWN,
}


def _current_state(profile: Profile, purpose: Purpose) -> ConsentState | None:
    return ConsentState.objects.filter(profile=profile, purpose=purpose).first()


def _record(
    *,
    profile: Profile,
    version: PurposeVersion,
    action: str,
    channel: str,
    collection_point: str,
    evidence: Evidence,
    language: str,
    trigger: str = ConsentEvent.Trigger.CUSTOMER,
    receipt_id: uuid.UUID | None = None,
    occurred_at: datetime | None = None,
) -> ConsentEvent:
    # A request kept in its link until confirmed is written then, with its own id and time.
    kept_in_link = {"receipt_id": receipt_id, "occurred_at": occurred_at} if receipt_id else {}
    event = ConsentEvent.objects.create(
        **kept_in_link,
        profile=profile,
        purpose_id=version.purpose_id,
        purpose_version=version,
        action=action,
        trigger=trigger,
        channel=channel,
        collection_point=collection_point[:200],
        language=version.wording_language(language),
        ip_hmac=evidence.ip_hmac,
        user_agent_hmac=evidence.user_agent_hmac,
        gpc_signal=evidence.gpc_signal,
    )
    ConsentState.objects.update_or_create(
        profile=profile,
        purpose_id=version.purpose_id,
        defaults={
            "status": _STATUS_AFTER[action],
            "version": version,
            "event": event,
            "updated_at": event.occurred_at,
        },
    )
    publish(
        _EVENT_FOR_ACTION[action](
            profile=str(profile.public_id),
            purpose=version.purpose.key,
            version=version.version,
            receipt_id=str(event.receipt_id),
            trigger=trigger,
        )
    )
    return event


def _refuse_sharing_under_gpc(purpose: Purpose, evidence: Evidence) -> None:
    if purpose.is_sale_or_share and evidence.gpc_signal:
        raise ApplicationError(
            _(
                "Your browser sends a Global Privacy Control signal, so we do not share your "
                "data. Turn the signal off if you want to agree to this."
            )
        )


def _published_current(version: PurposeVersion) -> Purpose:
    purpose = Purpose.objects.get(pk=version.purpose_id)
    if not version.is_published:
        raise ApplicationError(_("This wording has not been published yet."))
    if purpose.current_version_id != version.pk:
        raise ApplicationError(
            _("This wording has been replaced. Please read the current version and decide again.")
        )
    return purpose


@transaction.atomic
def consent_grant(
    *,
    profile: Profile,
    purpose_version: PurposeVersion,
    channel: str,
    collection_point: str,
    evidence: Evidence,
    language: str,
    email: str = "",
) -> ConsentEvent:
    """Agree to a purpose in the wording shown. Double opt-in purposes stay pending until the
    link sent to `email` is confirmed."""
    purpose = _published_current(purpose_version)
    _refuse_sharing_under_gpc(purpose, evidence)
    profile_lock(profile=profile)
    state = _current_state(profile, purpose)
    if state and state.is_granted and state.version_id == purpose_version.pk:
        raise ApplicationError(_("You have already agreed to this."))
    common = {
        "profile": profile,
        "version": purpose_version,
        "channel": channel,
        "collection_point": collection_point,
        "evidence": evidence,
        "language": language,
    }
    # An address confirmed once does not need confirming again when the wording changes.
    already_confirmed = state is not None and state.is_granted
    if not purpose.requires_double_opt_in or already_confirmed:
        return _record(action=ConsentEvent.Action.GRANT, **common)

    confirmation_address_check(email)
    if (
        state is not None
        and state.status == ConsentState.Status.PENDING
        and timezone.now() - state.updated_at < DOUBLE_OPT_IN_RESEND_AFTER
    ):
        raise ApplicationError(
            _("We sent you a confirmation link a moment ago. Please check your inbox.")
        )
    event = _record(action=ConsentEvent.Action.REQUEST, **common)
    # The address travels to the mail handler only; the link is made there from the receipt id.
    publish(
        ConsentDoubleOptInRequested(
            receipt_id=str(event.receipt_id), email=email, language=language
        )
    )
    return event


@transaction.atomic
def consent_decide(
    *,
    profile: Profile | None,
    purpose: Purpose,
    decision: str,
    channel: str,
    collection_point: str,
    evidence: Evidence,
    language: str,
    email: str = "",
) -> ConsentEvent | None:
    """A visitor's yes or no from the consent panel; their profile is made on this first write.

    A yes that needs its e-mail link confirmed, from a visitor without a profile, writes no
    profile and no event: the request travels in the link (None is returned), so clients
    without cookies leave no profile per try."""
    if profile is None and decision == "grant" and purpose.requires_double_opt_in:
        # Imported here: that module builds on this one's recording helpers.
        from apps.consent.double_opt_in import consent_request_by_link

        if purpose.current_version is None:
            raise ApplicationError(_("This purpose is not available."))
        consent_request_by_link(
            purpose_version=purpose.current_version,
            collection_point=collection_point,
            evidence=evidence,
            language=language,
            email=email,
        )
        return None
    profile = profile_ensure(profile=profile, locale=language)
    common = {
        "profile": profile,
        "channel": channel,
        "collection_point": collection_point,
        "evidence": evidence,
        "language": language,
    }
    if decision == "grant":
        if purpose.current_version is None:
            raise ApplicationError(_("This purpose is not available."))
        return consent_grant(purpose_version=purpose.current_version, email=email, **common)
    return consent_withdraw(purpose=purpose, **common)


@transaction.atomic
def consent_withdraw(
    *,
    profile: Profile,
    purpose: Purpose,
    channel: str,
    collection_point: str,
    evidence: Evidence,
    language: str,
    trigger: str = ConsentEvent.Trigger.CUSTOMER,
) -> ConsentEvent:
    """Say no in one step, recorded against the wording currently shown. Taking back a yes is
    a withdrawal; a no while nothing was agreed to (no answer yet, or a yes still waiting for
    its confirmation link) is a refusal, with a receipt as proof all the same."""
    purpose = Purpose.objects.select_related("current_version").get(pk=purpose.pk)
    if purpose.current_version is None:
        raise ApplicationError(_("This purpose is not available."))
    profile_lock(profile=profile)
    state = _current_state(profile, purpose)
    if state and state.status == ConsentState.Status.WITHDRAWN:
        raise ApplicationError(_("You have already withdrawn this consent."))
    if state and state.status == ConsentState.Status.REFUSED:
        raise ApplicationError(_("You have already said no to this."))
    action = (
        ConsentEvent.Action.WITHDRAW if state and state.is_granted else ConsentEvent.Action.REFUSE
    )
    return _record(
        profile=profile,
        version=purpose.current_version,
        action=action,
        channel=channel,
        collection_point=collection_point,
        evidence=evidence,
        language=language,
        trigger=trigger,
    )


def confirmation_address_check(email: str) -> None:
    """The address a confirmation link goes to, or an error asking for a valid one."""
    try:
        validate_email(email)
    except ValidationError:
        raise ApplicationError(
            _("Enter a valid e-mail address so we can send you the confirmation link.")
        ) from None


def double_opt_in_token(*, receipt_id: str) -> str:
    return signing.dumps({"r": str(receipt_id)}, salt=DOUBLE_OPT_IN_SALT, compress=True)


def double_opt_in_link_data(*, token: str):
    """What a confirmation link carries, or an error saying why it cannot be used."""
    try:
        return signing.loads(
            token, salt=DOUBLE_OPT_IN_SALT, max_age=settings.CONSENT_DOUBLE_OPT_IN_MAX_AGE
        )
    except signing.SignatureExpired:
        raise ApplicationError(
            _("This confirmation link has expired. Please ask for a new one.")
        ) from None
    except signing.BadSignature:
        raise ApplicationError(_("This confirmation link is not valid.")) from None


def double_opt_in_receipt_id(*, token: str) -> str:
    """The request a link points at."""
    data = double_opt_in_link_data(token=token)
    return str(data.get("r", "")) if isinstance(data, dict) else ""


@transaction.atomic
def consent_confirm_double_opt_in(*, token: str, evidence: Evidence) -> ConsentEvent:
    """Turn a pending request into a grant. Each link works once, only while still pending,
    and only for wording that is still current."""
    receipt_id = double_opt_in_receipt_id(token=token)
    request_event = consent_double_opt_in_pending(receipt_id=receipt_id)
    # Asked before signing in: the person is now the member the request's profile merged into.
    owner = request_event.profile.merged_into or request_event.profile
    profile_lock(profile=owner)
    request_event = consent_double_opt_in_pending(receipt_id=receipt_id)
    purpose = _published_current(request_event.purpose_version)
    _refuse_sharing_under_gpc(purpose, evidence)
    return _record(
        profile=owner,
        version=request_event.purpose_version,
        action=ConsentEvent.Action.GRANT,
        trigger=ConsentEvent.Trigger.DOUBLE_OPT_IN,
        channel=Channel.WEB,
        collection_point=request_event.collection_point,
        evidence=evidence,
        language=request_event.language,
    )


@transaction.atomic
def consent_apply_gpc(
    *, profile: Profile, evidence: Evidence, collection_point: str, language: str
) -> list[ConsentEvent]:
    """A Global Privacy Control signal withdraws every sale/share purpose still agreed to."""
    profile_lock(profile=profile)
    open_states = ConsentState.objects.filter(
        profile=profile,
        purpose__is_sale_or_share=True,
        status__in=[ConsentState.Status.GRANTED, ConsentState.Status.PENDING],
    ).select_related("purpose")
    return [
        consent_withdraw(
            profile=profile,
            purpose=state.purpose,
            channel=Channel.WEB,
            collection_point=collection_point,
            evidence=evidence,
            language=language,
            trigger=ConsentEvent.Trigger.GPC,
        )
        for state in open_states
    ]


@transaction.atomic
def purpose_version_save_draft(*, version: PurposeVersion) -> PurposeVersion:
    """Create or edit an unpublished version; a new one gets the next number."""
    if version.pk and PurposeVersion.objects.published().filter(pk=version.pk).exists():
        raise ApplicationError(_("A published version can no longer change. Create a new draft."))
    if not version.pk:
        Purpose.objects.select_for_update(of=("self",)).filter(pk=version.purpose_id).get()
        latest = version.purpose.versions.aggregate(latest=Max("version"))["latest"] or 0
        version.version = latest + 1
    version.published_at = None
    version.save()
    return version


@transaction.atomic
def purpose_version_create_draft(*, purpose: Purpose) -> PurposeVersion:
    """A new draft that starts from the latest wording, or the existing draft if there is one."""
    Purpose.objects.select_for_update(of=("self",)).filter(pk=purpose.pk).get()
    draft = purpose.versions.filter(published_at__isnull=True).order_by("-version").first()
    if draft:
        return draft
    latest = purpose.versions.order_by("-version").first()
    fields = [
        column for field in ("title", "summary", "text") for column in get_translation_fields(field)
    ]
    copied = {column: getattr(latest, column) for column in fields} if latest else {}
    return purpose_version_save_draft(version=PurposeVersion(purpose=purpose, **copied))


@transaction.atomic
def purpose_version_publish(*, version: PurposeVersion) -> PurposeVersion:
    """Freeze the wording and make it the one customers see. A material change (and the first
    version) means earlier grants no longer cover new collection."""
    purpose = Purpose.objects.select_for_update(of=("self",)).get(pk=version.purpose_id)
    version = PurposeVersion.objects.get(pk=version.pk)
    if version.is_published:
        raise ApplicationError(_("This version is already published."))
    current = purpose.current_version
    if current and current.version > version.version:
        raise ApplicationError(_("A newer version is already published."))
    if missing := version.languages_missing():
        names = dict(settings.LANGUAGES)
        raise ApplicationError(
            _("Write the title, summary and full text in every language before publishing.")
            + " "
            + _("Missing: %(languages)s.") % {"languages": ", ".join(names[m] for m in missing)}
        )
    version.published_at = timezone.now()
    version.save(update_fields=["published_at"])
    purpose.current_version = version
    if version.is_material or purpose.material_version_number == 0:
        purpose.material_version_number = version.version
    purpose.save(update_fields=["current_version", "material_version_number", "updated_at"])
    versions_renew(PURPOSES_VERSION)
    publish(
        PurposeVersionPublished(
            purpose=purpose.key, version=version.version, material=version.is_material
        )
    )
    return version


@transaction.atomic
def purpose_save(*, purpose: Purpose) -> Purpose:
    """Create or change a purpose's settings (its wording lives in versions)."""
    purpose.full_clean(exclude=["current_version"])
    purpose.save()
    versions_renew(PURPOSES_VERSION)
    publish(PurposeSaved(purpose=purpose.key))
    return purpose


@transaction.atomic
def purpose_delete(*, purpose: Purpose) -> None:
    purpose.delete()
    versions_renew(PURPOSES_VERSION)


@transaction.atomic
def consent_merge_profiles(*, source: Profile, target: Profile) -> None:
    """Per purpose the most recent decision of either profile wins. Every event stays with
    the profile that gave it: it is evidence, and reads of the member include the merged.

    A device's "no" that replaces the member's yes takes that yes back: the member's answer
    becomes a withdrawal, announced for the member like any other, so whatever was allowed
    under the yes stops (partners, segments, leaderboards)."""
    current = {
        state.purpose_id: state
        for state in ConsentState.objects.select_related("event").filter(profile=target)
    }
    for state in ConsentState.objects.select_related("event", "purpose", "version").filter(
        profile=source
    ):
        kept = current.get(state.purpose_id)
        if kept is None:
            ConsentState.objects.filter(pk=state.pk).update(profile=target)
            continue
        if (state.event.occurred_at, state.event_id) > (kept.event.occurred_at, kept.event_id):
            takes_back = kept.is_granted and state.is_declined
            ConsentState.objects.filter(pk=kept.pk).update(
                status=ConsentState.Status.WITHDRAWN if takes_back else state.status,
                version=state.version_id,
                event=state.event_id,
                updated_at=state.updated_at,
            )
            if takes_back:
                publish(
                    ConsentWithdrawn(
                        profile=str(target.public_id),
                        purpose=state.purpose.key,
                        version=state.version.version,
                        receipt_id=str(state.event.receipt_id),
                        trigger=state.event.trigger,
                    )
                )
        state.delete()
