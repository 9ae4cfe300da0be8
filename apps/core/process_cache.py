"""Values each process keeps because every request needs them, with one rule for when they
are stale.

A `ProcessCache` entry is valid for the versions named in the shared cache: its own and any
it follows (another app's vocabulary, say). A write that makes kept values stale renews the
version by name (`versions_renew`), now and again at commit, so no process keeps what was
replaced, nor reads it again before the change is visible. Entries are kept `max_age`
seconds at most either way. While the shared cache cannot be reached, values are read every
time; without Redis at all (one process, in development) the versions are that process's own.

A cache asked on every event (not once a request) may set `check_every`: it then asks the
shared cache for its versions at most that often, since that round trip costs more than the
query it saves; a change made in the same process is still seen at once.
"""

import logging
import time
import uuid
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.core.cache import cache, caches
from django.db import transaction
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

T = TypeVar("T")

VERSION_KEY = "process-cache-version:{name}"
ENTRY_KEY = "process-cache:{name}:{part}:{versions}"
# Bound once: looking a cache up by name costs more than reading from it.
_local = caches["local"]
# Every cache made, so a renewal in this process reaches those that skip checks for a while.
_caches: list["ProcessCache"] = []


def _version_key(name: str) -> str:
    return VERSION_KEY.format(name=name)


def _new_version() -> str:
    return uuid.uuid4().hex


def versions_renew(*names: str) -> None:
    """The data these names stand for has changed: every process reads it again. Called by
    the service that writes it."""

    def renew() -> None:
        for kept in _caches:
            if set(names) & set(kept.versions):
                kept._checked = None
        try:
            cache.set_many({_version_key(name): _new_version() for name in names}, timeout=None)
        except (RedisError, OSError):
            logger.warning("Cache versions %s could not be renewed.", ", ".join(names))

    renew()
    transaction.on_commit(renew)


def _versions(names: tuple[str, ...]) -> str | None:
    """The current versions of these names, or None while the shared cache is unreachable."""
    keys = [_version_key(name) for name in names]
    try:
        found = cache.get_many(keys)
        for key in keys:
            if key not in found:
                # The first reader names a version; should another be quicker, its counts.
                cache.add(key, _new_version(), timeout=None)
                found[key] = cache.get(key)
    except (RedisError, OSError):
        return None
    if any(found[key] is None for key in keys):
        return None
    return ".".join(found[key] for key in keys)


def forget_all_kept() -> None:
    """Drop every value this process keeps and every version it remembers having checked, as
    a new test must: a check remembered from before would name versions that are gone."""
    _local.clear()
    for kept in _caches:
        kept._checked = None


class ProcessCache(Generic[T]):
    """A named value (or one per `part`) each process keeps; see the module's docstring."""

    def __init__(
        self,
        name: str,
        *,
        follows: tuple[str, ...] = (),
        max_age: int = 60,
        check_every: float = 0,
    ) -> None:
        self.name = name
        self.versions = (name, *follows)
        self.max_age = max_age
        self.check_every = check_every
        self._checked: tuple[float, str] | None = None
        _caches.append(self)

    def _current_versions(self) -> str | None:
        if self._checked is not None and time.time() - self._checked[0] < self.check_every:
            return self._checked[1]
        versions = _versions(self.versions)
        self._checked = (time.time(), versions) if versions and self.check_every else None
        return versions

    def get(self, load: Callable[[], T], *, part: Hashable = "") -> T:
        versions = self._current_versions()
        if versions is None:
            return load()
        key = ENTRY_KEY.format(name=self.name, part=part, versions=versions)
        value = _local.get(key)
        if value is None:
            value = load()
            _local.set(key, value, self.max_age)
        return value

    def forget(self) -> None:
        """What this cache keeps is stale, in every process."""
        versions_renew(self.name)
