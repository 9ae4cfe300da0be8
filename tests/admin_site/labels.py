"""Every label the admin shows for the registered models, as lazy strings: model and field
names, help texts, choices, list columns, actions and fieldset titles."""

from collections.abc import Iterator

from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin
from django.db.models import Model
from django.utils.functional import Promise


def _promises(*values) -> Iterator[tuple[str, Promise | str]]:
    """The labels among `values`; a plain string is one nobody marked for translation."""
    for where, value in values:
        if isinstance(value, Promise | str) and str(value).strip():
            yield where, value


def _model_labels(model: type[Model]) -> Iterator[tuple[str, Promise | str]]:
    meta = model._meta
    name = meta.label
    yield from _promises(
        (f"{name} verbose_name", meta.verbose_name),
        (f"{name} verbose_name_plural", meta.verbose_name_plural),
        (f"{name} app", meta.app_config.verbose_name),
    )
    for field in meta.get_fields():
        if not hasattr(field, "verbose_name") or (field.auto_created and not field.concrete):
            continue
        where = f"{name}.{field.name}"
        yield from _promises(
            (where, field.verbose_name), (f"{where} help_text", getattr(field, "help_text", ""))
        )
        for value, label in getattr(field, "flatchoices", None) or []:
            yield from _promises((f"{where} choice {value}", label))


def _admin_labels(model_admin: BaseModelAdmin) -> Iterator[tuple[str, Promise | str]]:
    name = type(model_admin).__name__
    for column in getattr(model_admin, "list_display", ()):
        method = getattr(model_admin, column, None) if isinstance(column, str) else column
        yield from _promises((f"{name} column {column}", getattr(method, "short_description", "")))
    for action in getattr(model_admin, "actions", None) or ():
        method = getattr(model_admin, action, None) if isinstance(action, str) else action
        yield from _promises((f"{name} action {action}", getattr(method, "short_description", "")))
    for title, _options in getattr(model_admin, "fieldsets", None) or ():
        yield from _promises((f"{name} fieldset", title))
    for field in getattr(model_admin, "readonly_fields", ()):
        method = getattr(model_admin, field, None) if isinstance(field, str) else None
        yield from _promises((f"{name} field {field}", getattr(method, "short_description", "")))


def admin_labels(site: admin.AdminSite = admin.site) -> Iterator[tuple[str, Promise | str]]:
    for model, model_admin in site._registry.items():
        yield from _model_labels(model)
        yield from _admin_labels(model_admin)
        for inline in model_admin.inlines:
            yield from _model_labels(inline.model)
            yield from _admin_labels(inline(model, site))
