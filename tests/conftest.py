import shutil
import uuid
from collections.abc import Iterator

import pytest
from django.conf import settings

from apps.core import events
from tests.profiles.factories import ProfileFactory


def _uses_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_configure(config: pytest.Config) -> None:
    # A deliberately slow password hash costs every created user (and every demo seed)
    # most of a second; the tests prove behaviour, not the hash's strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_postgres = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
    skip_worker = pytest.mark.skip(
        reason="needs PostgreSQL (DATABASE_URL) and the redis-server binary for a real worker"
    )
    skip_e2e = pytest.mark.skip(
        reason="needs the chromium binary on PATH (apt-get install chromium)"
    )
    has_redis_server = shutil.which("redis-server") is not None
    for item in items:
        if "postgres" in item.keywords and not _uses_postgres():
            item.add_marker(skip_postgres)
        if "worker" in item.keywords and not (_uses_postgres() and has_redis_server):
            item.add_marker(skip_worker)
        if "e2e" in item.keywords and shutil.which("chromium") is None:
            item.add_marker(skip_e2e)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> None:
    """Transactional tests flush the database, role groups included, so a reused test
    database (`--reuse-db`) may start without the groups the migrations made."""
    from django.db import connection

    from apps.privacy.roles import roles_sync

    with django_db_blocker.unblock():
        # No test collected uses the database (a browser test of a static script): none made.
        if "auth_group" in connection.introspection.table_names():
            roles_sync()


@pytest.fixture(scope="session", autouse=True)
def _quick_flush(django_db_setup, django_db_blocker) -> Iterator[None]:
    if not _uses_postgres():
        yield
        return
    from django.db import connection

    from tests.flush import flush_by_delete_when_allowed

    with pytest.MonkeyPatch.context() as monkeypatch:
        with django_db_blocker.unblock():
            flush_by_delete_when_allowed(connection, monkeypatch)
        yield


@pytest.fixture(autouse=True)
def _empty_process_cache() -> None:
    from apps.core.process_cache import forget_all_kept

    forget_all_kept()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings) -> None:
    """Every test starts with no requests counted (all test clients share one address)."""
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": uuid.uuid4().hex,
        },
    }
    settings.RATELIMIT_USE_CACHE = "ratelimit"


@pytest.fixture(autouse=True)
def _no_demo_population(settings) -> None:
    """`seed_demo` writes no synthetic customers unless a test asks for them: thousands of
    rows would slow every test that seeds the demo."""
    settings.DEMO_POPULATION = 0


@pytest.fixture(autouse=True)
def _isolated_event_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Handlers a test subscribes disappear with the test, and so does a pending relay."""
    for registry in ("_in_transaction_handlers", "_relayed_handlers", "_after_commit_handlers"):
        original = getattr(events, registry)
        copy = type(original)(list, {name: list(h) for name, h in original.items()})
        monkeypatch.setattr(events, registry, copy)
    # A relay asked for by an earlier test went to that test's broker.
    monkeypatch.setattr(events, "_relay_due_at", float("-inf"))


@pytest.fixture(autouse=True)
def _staff_pass_second_factor(request, monkeypatch: pytest.MonkeyPatch) -> None:
    """`client.force_login(staff)` (and `admin_client`) signs in as if the code of a device
    had been entered, so admin tests need not each set up a second factor. Tests of the
    second factor itself are marked `password_only` and get the bare session."""
    if request.node.get_closest_marker("password_only"):
        return
    from django.test.client import ClientMixin

    from tests.admin_site.second_factor import session_verify

    force_login = ClientMixin.force_login

    def force_login_verified(self, user, backend=None):
        force_login(self, user, backend)
        if user.is_staff:
            session_verify(self, user)

    monkeypatch.setattr(ClientMixin, "force_login", force_login_verified)


@pytest.fixture
def axes_reset(db) -> Iterator[None]:
    """No sign-in failures counted before or after the test (django-axes' reset)."""
    from axes.utils import reset

    reset()
    yield
    reset()


@pytest.fixture
def profile(db):
    return ProfileFactory()


@pytest.fixture(scope="session")
def redis_server_binary() -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("needs the redis-server binary")
    return binary


@pytest.fixture
def purpose(db):
    from tests.consent.factories import published_purpose

    return published_purpose(key="personalization")


@pytest.fixture
def profile_refusing_everything(db, request):
    """A customer who said no to every published purpose. Rewards never depend on consent:
    campaign and loyalty tests use this profile to prove a refusal costs nothing."""
    from apps.consent.evidence import Evidence
    from apps.consent.models import Channel
    from apps.consent.selectors import purpose_list_published
    from apps.consent.services import consent_withdraw

    for name in ("purpose", "sharing_purpose", "newsletter_purpose"):
        if name in request.fixturenames:
            request.getfixturevalue(name)
    refuser = ProfileFactory()
    for published in purpose_list_published():
        consent_withdraw(
            profile=refuser,
            purpose=published,
            channel=Channel.WEB,
            collection_point="preference-center",
            evidence=Evidence(),
            language="de",
        )
    return refuser


@pytest.fixture
def english():
    """Messages in English, for tests that match service errors by their words."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def media_in_tmp(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def visitor(client, profile):
    """A browser whose session belongs to `profile`."""
    from tests.profiles.helpers import browse_as

    return browse_as(client, profile)
