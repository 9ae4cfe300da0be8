"""Every app's part of a data-subject export and erasure, found by convention.

An installed app that keeps personal data has a `privacy` module with

    export(profile) -> dict             its part of the export (JSON with Django's encoder)
    erase(profile) -> dict[str, int]    what it removed or pseudonymised, counted

and optionally `ERASE_ORDER` (default 50): parts erase in ascending order, so the part that
removes the identity itself (profiles, 100) goes last, once every other part has used it.
Both functions cover the profile and the profiles merged into it. A test fails when an app
whose models point at Profile has no such module, so a new app cannot be forgotten.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from types import ModuleType

from django.apps import apps as django_apps
from django.db import models

from apps.profiles.models import Profile

DEFAULT_ERASE_ORDER = 50
# Apps whose rows another app's part exports and erases: the export has always shown the access
# log (audit) beside the requests it answers (privacy), and its schema is versioned.
COVERED_BY_ANOTHER_PART = {"audit": "privacy"}


@dataclass(frozen=True)
class PrivacyPart:
    label: str
    export: Callable[[Profile], dict]
    erase: Callable[[Profile], dict[str, int]]
    erase_order: int


def _privacy_module(app_name: str) -> ModuleType | None:
    name = f"{app_name}.privacy"
    try:
        return import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
        return None


@cache
def privacy_parts() -> tuple[PrivacyPart, ...]:
    """The parts in the order of INSTALLED_APPS (the order of the export)."""
    parts = []
    for config in django_apps.get_app_configs():
        module = _privacy_module(config.name)
        if module is None:
            continue
        if not all(callable(getattr(module, name, None)) for name in ("export", "erase")):
            raise TypeError(f"{module.__name__} needs both export(profile) and erase(profile).")
        parts.append(
            PrivacyPart(
                label=config.label,
                export=module.export,
                erase=module.erase,
                erase_order=getattr(module, "ERASE_ORDER", DEFAULT_ERASE_ORDER),
            )
        )
    return tuple(parts)


def privacy_parts_for_erasure() -> list[PrivacyPart]:
    return sorted(privacy_parts(), key=lambda part: part.erase_order)


def apps_holding_profiles() -> set[str]:
    """Labels of the installed apps with a model that points at Profile."""
    labels = set()
    for model in django_apps.get_models():
        for field in model._meta.get_fields():
            # A one-to-one field is a foreign key too.
            if isinstance(field, models.ForeignKey) and field.related_model is Profile:
                labels.add(model._meta.app_label)
    return labels


def apps_missing_privacy_part() -> set[str]:
    covered = {part.label for part in privacy_parts()}
    covered |= {app for app, part in COVERED_BY_ANOTHER_PART.items() if part in covered}
    return apps_holding_profiles() - covered
