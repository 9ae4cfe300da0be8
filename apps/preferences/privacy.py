"""Preferences' part of a data-subject export and erasure (see apps.privacy.registry)."""

from django.db import transaction
from django.db.models import Prefetch

from apps.consent.selectors import consent_state_list_granted
from apps.preferences.models import AttributeValue, Declaration, DeclarationHistory
from apps.preferences.values import attribute_display_value
from apps.profiles.models import Profile
from apps.profiles.selectors import profile_and_merged_ids

_ATTRIBUTE = ("attribute__purpose", "consent_event")
_VALUES = Prefetch("attribute__values", queryset=AttributeValue.objects.order_by("position"))


def _readable(row: Declaration | DeclarationHistory) -> str:
    if row.value is None:
        return ""
    return attribute_display_value(
        attribute=row.attribute, value=row.value, allowed=list(row.attribute.values.all())
    )


def _provenance(row: Declaration | DeclarationHistory) -> dict:
    return {
        "source": row.source,
        "source_ref": row.source_ref,
        "source_name": row.source_label,
        "consent_receipt_id": row.consent_event.receipt_id if row.consent_event else None,
    }


def export(profile: Profile) -> dict:
    ids = profile_and_merged_ids(profile=profile)
    granted = set(consent_state_list_granted(profile=profile).values_list("purpose_id", flat=True))
    declarations = (
        Declaration.objects.filter(profile=profile)
        .select_related(*_ATTRIBUTE)
        .prefetch_related(_VALUES)
        .order_by("attribute__topic", "attribute__position", "attribute__key")
    )
    history = (
        DeclarationHistory.objects.filter(profile__in=ids)
        .select_related(*_ATTRIBUTE)
        .prefetch_related(_VALUES)
        .order_by("recorded_at", "pk")
    )
    return {
        "declarations": [
            {
                "attribute": row.attribute.key,
                "question": row.attribute.label,
                "topic": row.attribute.topic,
                "purpose": row.attribute.purpose.key,
                "value": row.value,
                "value_as_shown": _readable(row),
                "declared_at": row.declared_at,
                "confirmed_at": row.confirmed_at,
                # Whether it is used now: only while its purpose is granted.
                "in_use": row.attribute.purpose_id in granted,
                **_provenance(row),
            }
            for row in declarations
        ],
        "history": [
            {
                "attribute": row.attribute.key,
                "action": row.action,
                "value": row.value,
                "value_as_shown": _readable(row),
                "recorded_at": row.recorded_at,
                **_provenance(row),
            }
            for row in history
        ],
    }


@transaction.atomic
def erase(profile: Profile) -> dict[str, int]:
    """Everything the person told us goes, with its history."""
    ids = profile_and_merged_ids(profile=profile)
    history, _kinds = DeclarationHistory.objects.filter(profile__in=ids).delete()
    declarations, _kinds = Declaration.objects.filter(profile__in=ids).delete()
    return {"declarations": declarations, "declaration_history": history}
