from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname, get_translation_fields

from apps.consent.selectors import consent_grant_event
from apps.core.events import publish
from apps.core.exceptions import ApplicationError
from apps.core.process_cache import versions_renew
from apps.preferences.events import (
    AttributeSaved,
    PreferenceConfirmed,
    PreferenceDeclared,
    PreferenceDeleted,
)
from apps.preferences.models import (
    Attribute,
    AttributeValue,
    Declaration,
    DeclarationHistory,
    Source,
)
from apps.preferences.selectors import ATTRIBUTES_VERSION
from apps.preferences.values import attribute_clean_value
from apps.profiles.lock_objects import profile_lock
from apps.profiles.models import Profile


def _history(
    declaration: Declaration, action: str, *, value: Any = None, keep_value: bool = True
) -> DeclarationHistory:
    return DeclarationHistory.objects.create(
        profile_id=declaration.profile_id,
        attribute_id=declaration.attribute_id,
        action=action,
        value=declaration.value if keep_value else value,
        source=declaration.source,
        source_ref=declaration.source_ref,
        source_label=declaration.source_label,
        consent_event=declaration.consent_event,
    )


@transaction.atomic
def preference_declare(
    *,
    profile: Profile,
    attribute: Attribute,
    value: Any,
    source: str,
    source_ref: str = "",
    source_label: str = "",
) -> Declaration:
    """Store what the customer told us, with where it came from and the consent that allows it.

    Refused while the attribute's purpose is not granted for new collection. The quiz flow keeps
    its answers and calls this once the customer has answered the consent prompt.
    """
    attribute = Attribute.objects.select_related("purpose__current_version").get(pk=attribute.pk)
    if not attribute.is_active:
        raise ApplicationError(_("This question is no longer asked."))
    if attribute.is_special_category and not attribute.purpose.allows_special_category:
        raise ApplicationError(_("This information needs an explicit consent we do not ask for."))
    if source not in Source.values:
        raise ApplicationError(_("Unknown source."))
    cleaned = attribute_clean_value(attribute=attribute, raw=value)
    profile_lock(profile=profile)
    consent_event = consent_grant_event(profile=profile, purpose=attribute.purpose)
    if consent_event is None:
        raise ApplicationError(
            _("To save this, first agree to “%(purpose)s”.") % {"purpose": attribute.purpose_title},
            extra={"purpose": attribute.purpose.key},
        )

    declaration = Declaration.objects.filter(profile=profile, attribute=attribute).first()
    now = timezone.now()
    if declaration is not None and declaration.value == cleaned:
        return _confirm(declaration, now)

    action = DeclarationHistory.Action.DECLARED
    if declaration is None:
        declaration = Declaration(profile=profile, attribute=attribute)
    else:
        action = DeclarationHistory.Action.CHANGED
    declaration.value = cleaned
    declaration.source = source
    declaration.source_ref = source_ref[:200]
    declaration.source_label = source_label[:200]
    declaration.consent_event = consent_event
    declaration.declared_at = declaration.confirmed_at = now
    declaration.save()
    _history(declaration, action)
    publish(PreferenceDeclared.of(declaration))
    return declaration


def _confirm(declaration: Declaration, now) -> Declaration:
    # One confirmation per freshness period counts, however often it is repeated.
    occurrence = f"confirm:{declaration.pk}:{declaration.stale_since or 'always-fresh'}"
    declaration.confirmed_at = now
    declaration.save(update_fields=["confirmed_at"])
    _history(declaration, DeclarationHistory.Action.CONFIRMED)
    publish(PreferenceConfirmed.of(declaration, idempotency_key=occurrence))
    return declaration


@transaction.atomic
def preference_confirm(*, profile: Profile, declaration_id: int) -> Declaration:
    """'Still true': the customer confirms a declaration as it stands."""
    profile_lock(profile=profile)
    declaration = _own_declaration(profile, declaration_id)
    if not declaration.is_stale:
        raise ApplicationError(_("This is up to date; there is nothing to confirm yet."))
    consent_event = consent_grant_event(
        profile=profile, purpose=declaration.attribute.purpose, for_new_collection=False
    )
    if consent_event is None:
        raise ApplicationError(
            _(
                "You withdrew the consent for this, so we no longer use it. Delete it or agree again."
            )
        )
    return _confirm(declaration, timezone.now())


@transaction.atomic
def preference_delete(*, profile: Profile, declaration_id: int) -> None:
    """Forget a declaration now; its history stays until the purpose's retention ends."""
    profile_lock(profile=profile)
    declaration = _own_declaration(profile, declaration_id)
    _history(declaration, DeclarationHistory.Action.DELETED, keep_value=False)
    deleted = PreferenceDeleted.of(declaration)
    declaration.delete()
    publish(deleted)


def _own_declaration(profile: Profile, declaration_id: int) -> Declaration:
    declaration = (
        Declaration.objects.select_related("attribute__purpose", "profile")
        .filter(pk=declaration_id, profile=profile)
        .first()
    )
    if declaration is None:
        raise Declaration.DoesNotExist
    return declaration


@transaction.atomic
def attribute_save(*, attribute: Attribute) -> Attribute:
    """Create or change an attribute of the vocabulary (staff, in the admin).

    Once customers have answered, its type and purpose are fixed: their answers were given
    in that shape and under that consent.
    """
    attribute.full_clean()
    if attribute.pk:
        stored = Attribute.objects.get(pk=attribute.pk)
        changed = stored.kind != attribute.kind or stored.purpose_id != attribute.purpose_id
        if changed and Declaration.objects.filter(attribute=attribute).exists():
            raise ApplicationError(
                _("Customers have answered this already: its type and purpose stay as they are.")
            )
    attribute.save()
    versions_renew(ATTRIBUTES_VERSION)
    publish(AttributeSaved(attribute=attribute.key, purpose=attribute.purpose.key))
    return attribute


@transaction.atomic
def attribute_delete(*, attribute: Attribute) -> None:
    attribute.delete()
    versions_renew(ATTRIBUTES_VERSION)


@transaction.atomic
def attribute_value_save(*, value: AttributeValue) -> AttributeValue:
    """One allowed value of a choice attribute (staff, in the admin)."""
    value.save()
    versions_renew(ATTRIBUTES_VERSION)
    return value


@transaction.atomic
def attribute_value_delete(*, value: AttributeValue) -> None:
    value.delete()
    versions_renew(ATTRIBUTES_VERSION)


@transaction.atomic
def attribute_values_ensure(
    *, attribute: Attribute, labels: dict[str, dict[str, str]]
) -> list[AttributeValue]:
    """Give a choice attribute these allowed values, keyed, with their labels by language
    (`{"de": ..., "en": ...}`): missing ones are added and changed labels updated. Values not
    named stay, so what customers said keeps reading as they said it."""
    stored = {v.key: v for v in AttributeValue.objects.filter(attribute=attribute, key__in=labels)}
    columns = get_translation_fields("label")
    added, relabelled = [], []
    for key, by_language in labels.items():
        wanted = {
            build_localized_fieldname("label", lang): text for lang, text in by_language.items()
        }
        value = stored.get(key)
        if value is None:
            added.append(AttributeValue(attribute=attribute, key=key, **wanted))
        elif any(getattr(value, column) != text for column, text in wanted.items()):
            for column, text in wanted.items():
                setattr(value, column, text)
            relabelled.append(value)
    # Two requests may add the same value at once (two first "not interested" in one offer).
    AttributeValue.objects.bulk_create(added, ignore_conflicts=True)
    AttributeValue.objects.bulk_update(relabelled, columns)
    if added or relabelled:
        versions_renew(ATTRIBUTES_VERSION)
    return [*added, *relabelled]


@transaction.atomic
def declarations_merge_profiles(*, source: Profile, target: Profile) -> None:
    """Per attribute the newest statement of either profile wins. History stays with the
    profile that made it; reads of the member include the merged profiles."""
    current = {d.attribute_id: d for d in Declaration.objects.filter(profile=target)}
    for declaration in Declaration.objects.filter(profile=source):
        kept = current.get(declaration.attribute_id)
        if kept is None:
            Declaration.objects.filter(pk=declaration.pk).update(profile=target)
            continue
        newer = (declaration.confirmed_at, declaration.declared_at) > (
            kept.confirmed_at,
            kept.declared_at,
        )
        if newer:
            Declaration.objects.filter(pk=kept.pk).update(
                value=declaration.value,
                source=declaration.source,
                source_ref=declaration.source_ref,
                source_label=declaration.source_label,
                consent_event=declaration.consent_event_id,
                declared_at=declaration.declared_at,
                confirmed_at=declaration.confirmed_at,
            )
        declaration.delete()
