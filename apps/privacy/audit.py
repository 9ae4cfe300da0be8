"""The audit trail of staff changes to configuration that decides what happens to people's
data: each add, change and delete in the admin, with the values before and after."""

import json
from typing import Any

from django.contrib import admin
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model
from django.http import HttpRequest

from apps.privacy.models import ConfigChange

# Values that are credentials are recorded as changed, never with their content.
SECRET_FIELD_WORDS = ("secret", "password", "token", "hash")
MASKED = "********"


def config_snapshot(obj: Model) -> dict[str, Any]:
    """The object's own fields and its many-to-many links as JSON-safe values."""
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        values[field.name] = field.value_from_object(obj)
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            values[field.name] = sorted(
                str(pk) for pk in getattr(obj, field.name).values_list("pk", flat=True)
            )
    safe = json.loads(json.dumps(values, cls=DjangoJSONEncoder))
    return {
        name: MASKED if any(word in name for word in SECRET_FIELD_WORDS) and value else value
        for name, value in safe.items()
    }


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


class ConfigAuditedAdminMixin(admin.ModelAdmin):
    """Writes a ConfigChange for every add, change and delete made through this admin.

    The state before is read when the admin loads the object for a POST, before the form
    touches it, and kept on the request (the admin instance is shared between requests);
    the state after is read where Django logs the change, once related objects are saved."""

    def _before_key(self, obj: Model) -> str:
        return f"_config_before_{obj._meta.label}_{obj.pk}"

    def get_object(self, request: HttpRequest, object_id: str, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and request.method == "POST":
            setattr(request, self._before_key(obj), config_snapshot(obj))
        return obj

    def log_addition(self, request: HttpRequest, obj: Model, message):
        config_change_record(
            staff_user=request.user,
            obj=obj,
            action=ConfigChange.Action.ADDED,
            after=config_snapshot(obj),
        )
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Model, message):
        before = getattr(request, self._before_key(obj), {})
        after = config_snapshot(type(obj)._default_manager.get(pk=obj.pk))
        if before != after:
            config_change_record(
                staff_user=request.user,
                obj=obj,
                action=ConfigChange.Action.CHANGED,
                before=before,
                after=after,
            )
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset):
        for obj in queryset:
            config_change_record(
                staff_user=request.user,
                obj=obj,
                action=ConfigChange.Action.DELETED,
                before=config_snapshot(obj),
            )
        return super().log_deletions(request, queryset)
