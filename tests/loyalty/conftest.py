import sys

import pytest
from django.conf import settings

from apps.loyalty.services import ledger_credit

ONE_STATEMENT = "one-statement"
LOCKED = "locked"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests asking for `credit_path` run once per way a credit can be written.

    PostgreSQL credits in one statement and falls back to the locked ORM path for a first
    credit or a retried key; SQLite only has the locked path (it cannot UPDATE inside WITH).
    Both are kept because the single statement is what makes a credit cheap on the production
    database (see the ledger benchmark), and the locked path is what the demo runs. So on
    PostgreSQL every such test runs both ways, and the two answer the same cases the same way.
    """
    if "credit_path" not in metafunc.fixturenames:
        return
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    paths = [ONE_STATEMENT, LOCKED] if on_postgres else [LOCKED]
    metafunc.parametrize("credit_path", paths, indirect=True)


@pytest.fixture
def credit_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == LOCKED:
        # The module that defines ledger_credit, wherever the ledger's code lives.
        ledger = sys.modules[ledger_credit.__module__]
        monkeypatch.setattr(ledger, "_credit_in_one_statement", lambda **details: None)
    return request.param


@pytest.fixture
def profile(db):
    """A signed-in member: only members redeem. Tests of visitors who never signed in ask for
    `anonymous`."""
    from apps.profiles.models import Profile
    from tests.profiles.factories import ProfileFactory

    return ProfileFactory(kind=Profile.Kind.MEMBER)


@pytest.fixture
def anonymous(db):
    from tests.profiles.factories import ProfileFactory

    return ProfileFactory()
