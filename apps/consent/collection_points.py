"""Collection points, the places a consent decision was taken, named for people.

Events store a stable key ("preference-center", "campaign:<slug>", "gpc:<path>"); people
read a name in their own language. Consent names the places it owns. A key whose prefix
belongs to a higher app ("campaign:") is named by that app's `collection_points` module,
found by convention as privacy finds every app's `privacy` module, because consent may not
import the apps above it. Such a module has

    PREFIX = "campaign"
    labels(names: list[str]) -> dict[str, str]   the readable name of each, in one query

and a key it cannot name (a campaign since deleted) reads as a generic place, never raw.
"""

from collections.abc import Callable, Iterable
from functools import cache
from importlib import import_module

from django.apps import apps as django_apps
from django.core.validators import slug_re
from django.utils.translation import gettext as _

from apps.core.embedding import COLLECTION_POINT_PREFIX, EmbedContext

Labeller = Callable[[list[str]], dict[str, str]]


def _own_labels() -> dict[str, str]:
    return {
        "preference-center": _("Your privacy choices"),
        "preferences": _("Your preferences"),
        "demo": _("Demo data"),
    }


def _module(app_name: str):
    name = f"{app_name}.collection_points"
    try:
        return import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
        return None


@cache
def collection_point_labellers() -> dict[str, Labeller]:
    """Every app's labeller by the key prefix it names."""
    labellers = {}
    for config in django_apps.get_app_configs():
        module = _module(config.name)
        if module is not None and module.__name__ != __name__:
            labellers[module.PREFIX] = module.labels
    return labellers


def _generic(prefix: str, name: str) -> str:
    if prefix == "gpc":
        return _("Global Privacy Control signal of your browser")
    if prefix == "campaign":
        return _("A campaign")
    if prefix == "partner":
        return _("One of our partners")
    if prefix == COLLECTION_POINT_PREFIX:
        return _("A brand's website showing our campaign")
    return _("Elsewhere on our site")


def collection_point_labels(*, keys: Iterable[str]) -> dict[str, str]:
    """The readable name of each collection point key, in the active language: one query per
    kind of place on the page (campaigns), none per row."""
    own = _own_labels()
    by_prefix: dict[str, set[str]] = {}
    for key in set(keys):
        prefix, _sep, name = key.partition(":")
        if key not in own and name:
            by_prefix.setdefault(prefix, set()).add(name)
    labels = {key: own[key] for key in set(keys) if key in own}
    labellers = collection_point_labellers()
    for prefix, names in by_prefix.items():
        labeller = labellers.get(prefix)
        named = labeller(sorted(names)) if labeller else {}
        for name in names:
            labels[f"{prefix}:{name}"] = named.get(name) or _generic(prefix, name)
    for key in set(keys) - labels.keys():
        labels[key] = _generic(key, "")
    return labels


def collection_point_label(key: str) -> str:
    return collection_point_labels(keys=[key])[key]


def collection_points_name(events: Iterable) -> list:
    """Give each event (or anything with `collection_point`) a `collection_point_label`."""
    events = list(events)
    labels = collection_point_labels(keys=[event.collection_point for event in events])
    for event in events:
        event.collection_point_label = labels[event.collection_point]
    return events


def collection_point_in_frame(*, embed: EmbedContext, posted: str) -> str:
    """A decision taken inside a brand's frame is recorded as taken on that site. The page
    may only say which campaign's panel it was ("campaign:<slug>"); the site is the origin the
    server checked, never one the form names."""
    prefix, _sep, slug = posted.partition(":")
    return embed.collection_point(slug if prefix == "campaign" and slug_re.match(slug) else None)
