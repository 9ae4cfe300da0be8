"""Writing the access log (every read of a person's data by staff or a partner) and the audit
trail of staff changes to configuration that decides what happens to people's data: each add,
change and delete in the admin, with the values before and after."""

import json
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Field, Model
from django.db.models.fields.files import FieldFile

from apps.audit.models import AccessLog, ConfigChange
from apps.core.encrypted_fields import EncryptedTextField, secret_fingerprint
from apps.core.translated_fields import translated_base_fields
from apps.profiles.models import Profile

# Values that are credentials are recorded as changed, never with their content: fields kept
# encrypted, and fields whose names say what they hold.
SECRET_FIELD_WORDS = ("secret", "password", "token", "hash")
MASKED = "********"


def _is_secret(field: Field) -> bool:
    return isinstance(field, EncryptedTextField) or any(
        word in field.name for word in SECRET_FIELD_WORDS
    )


def config_masked(value: Any) -> Any:
    """A secret as the trail shows it: masked, with a fingerprint, so that a new value reads
    as a change and the same value as none."""
    return f"{MASKED} {secret_fingerprint(str(value))}" if value else value


def config_snapshot(obj: Model) -> dict[str, Any]:
    """The object's own fields and its many-to-many links as JSON-safe values."""
    values: dict[str, Any] = {}
    secret: set[str] = set()
    translated = translated_base_fields(type(obj))
    for field in obj._meta.concrete_fields:
        if field.name not in translated:
            value = field.value_from_object(obj)
            # An uploaded file is recorded by its stored name.
            values[field.name] = value.name if isinstance(value, FieldFile) else value
            if _is_secret(field):
                secret.add(field.name)
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            values[field.name] = sorted(
                str(pk) for pk in getattr(obj, field.name).values_list("pk", flat=True)
            )
    safe = json.loads(json.dumps(values, cls=DjangoJSONEncoder))
    return {name: config_masked(value) if name in secret else value for name, value in safe.items()}


def config_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: {"from": before.get(name), "to": after.get(name)}
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def config_change_record(
    *,
    staff_user: AbstractBaseUser,
    obj: Model,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> ConfigChange:
    return ConfigChange.objects.create(
        staff_user=staff_user,
        staff_username=staff_user.get_username(),
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action=action,
        changes=config_diff(before or {}, after or {}),
    )


def access_log_record(
    *,
    profiles: Iterable[Profile],
    data_category: str,
    staff_user: AbstractBaseUser | None = None,
    partner_name: str = "",
    purpose_key: str = "",
    purpose_keys: Iterable[str] = (),
    action: str = AccessLog.Action.VIEW,
    reason: str = "",
) -> list[AccessLog]:
    """Record that staff or a partner read these people's data. Exactly one actor is given.
    A read under several purposes gives a row per purpose. One INSERT: it needs no
    transaction of its own."""
    if (staff_user is None) == (not partner_name):
        raise ValueError("Give exactly one actor: staff_user or partner_name.")
    actor_kind = AccessLog.ActorKind.STAFF if staff_user else AccessLog.ActorKind.PARTNER
    purposes = list(purpose_keys) or [purpose_key]
    return AccessLog.objects.bulk_create(
        AccessLog(
            profile=profile,
            actor_kind=actor_kind,
            staff_user=staff_user,
            partner_name=partner_name,
            data_category=data_category,
            purpose_key=purpose,
            action=action,
            reason=reason[:300],
        )
        for profile in profiles
        for purpose in purposes
    )


def access_log_reasons_forget(*, profiles: Iterable[Profile]) -> int:
    """Blank what staff typed as their reason for looking at these people, which may name them;
    the looks themselves stay as proof of who read what."""
    return AccessLog.objects.filter(profile__in=profiles).exclude(reason="").update(reason="")
