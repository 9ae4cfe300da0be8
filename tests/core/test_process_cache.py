from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache, caches
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError

from apps.core.process_cache import VERSION_KEY, ProcessCache, forget_all_kept, versions_renew

pytestmark = pytest.mark.django_db


class Loads:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> int:
        self.count += 1
        return self.count


@pytest.fixture(autouse=True)
def _fresh_versions() -> None:
    cache.clear()


def test_process_cache_loads_once_while_its_version_holds():
    kept, load = ProcessCache("test.kept"), Loads()

    assert [kept.get(load), kept.get(load)] == [1, 1]
    assert load.count == 1


def test_process_cache_forget_is_seen_at_once_before_the_commit():
    kept, load = ProcessCache("test.kept"), Loads()
    kept.get(load)

    kept.forget()

    assert kept.get(load) == 2


def test_process_cache_follows_a_change_another_process_names_in_the_shared_cache():
    kept, load = ProcessCache("test.kept"), Loads()
    kept.get(load)

    cache.set(VERSION_KEY.format(name="test.kept"), "changed-elsewhere", timeout=None)

    assert kept.get(load) == 2


def test_process_cache_follows_the_versions_of_what_it_shows():
    kept, load = ProcessCache("test.kept", follows=("test.vocabulary",)), Loads()
    kept.get(load)

    versions_renew("test.vocabulary")

    assert kept.get(load) == 2


def test_process_cache_keeps_one_value_per_part():
    kept = ProcessCache("test.kept")

    assert kept.get(lambda: "a", part=1) == "a"
    assert kept.get(lambda: "b", part=2) == "b"
    assert kept.get(lambda: "c", part=1) == "a"


def test_process_cache_keeps_a_value_a_minute_at_most():
    kept, load = ProcessCache("test.kept"), Loads()
    kept.get(load)

    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert kept.get(load) == 2


def test_process_cache_reads_every_time_while_the_shared_cache_is_unreachable(monkeypatch):
    kept, load = ProcessCache("test.kept"), Loads()

    def unreachable(*args, **kwargs):
        raise RedisConnectionError("down")

    monkeypatch.setattr(caches["default"], "get_many", unreachable)
    monkeypatch.setattr(caches["default"], "set_many", unreachable)

    assert [kept.get(load), kept.get(load)] == [1, 2]
    kept.forget()  # logged, not raised


def test_process_cache_version_is_renewed_again_at_commit(django_capture_on_commit_callbacks):
    key = VERSION_KEY.format(name="test.kept")
    with django_capture_on_commit_callbacks() as callbacks:
        versions_renew("test.kept")
    renewed_now = cache.get(key)

    callbacks[0]()

    assert cache.get(key) not in (None, renewed_now)


def test_a_cache_asked_on_every_event_checks_the_shared_versions_at_most_every_second():
    kept, load = ProcessCache("test.hot", check_every=1), Loads()
    kept.get(load)

    cache.set(VERSION_KEY.format(name="test.hot"), "changed-elsewhere", timeout=None)
    assert kept.get(load) == 1

    with time_machine.travel(timezone.now() + timedelta(seconds=2)):
        assert kept.get(load) == 2


def test_forgetting_all_kept_drops_the_values_and_the_remembered_version_checks():
    kept, load = ProcessCache("test.hot", check_every=60), Loads()
    kept.get(load)
    cache.set(VERSION_KEY.format(name="test.hot"), "changed-elsewhere", timeout=None)
    assert kept.get(load) == 1

    forget_all_kept()

    assert kept.get(load) == 2
    assert kept.get(load) == 2


def test_a_cache_asked_on_every_event_sees_its_own_process_forget_at_once():
    kept, load = ProcessCache("test.hot", check_every=1), Loads()
    kept.get(load)

    kept.forget()

    assert kept.get(load) == 2


def test_a_cache_asked_on_every_event_sees_a_renewal_of_what_it_follows_at_once():
    kept, load = ProcessCache("test.hot", follows=("test.vocabulary",), check_every=1), Loads()
    kept.get(load)

    versions_renew("test.vocabulary")

    assert kept.get(load) == 2


def test_a_cache_asked_on_every_event_sees_the_renewal_at_commit_at_once(
    django_capture_on_commit_callbacks,
):
    kept, load = ProcessCache("test.hot", check_every=1), Loads()
    with django_capture_on_commit_callbacks(execute=True):
        versions_renew("test.hot")
        assert kept.get(load) == 1

    assert kept.get(load) == 2
