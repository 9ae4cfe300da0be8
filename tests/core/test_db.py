import pytest
from django.db import connection, transaction

from apps.core.db import execute_prepared

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _prepared_names() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements ORDER BY name")
        return [name for (name,) in cursor.fetchall()]


def _add_one(number: int) -> int:
    with connection.cursor() as cursor:
        execute_prepared(cursor, "core_add_one", "SELECT $1::integer + 1", [number])
        return cursor.fetchone()[0]


def test_a_statement_is_prepared_once_per_session_and_again_after_a_reconnect():
    assert [_add_one(1), _add_one(41)] == [2, 42]
    assert _prepared_names().count("core_add_one") == 1

    connection.close()

    assert "core_add_one" not in _prepared_names()
    assert _add_one(2) == 3
    assert _prepared_names().count("core_add_one") == 1


def _add_one_then_fail() -> None:
    with transaction.atomic():
        _add_one(1)
        raise ZeroDivisionError


def test_a_prepared_statement_outlives_a_rolled_back_transaction():
    with pytest.raises(ZeroDivisionError):
        _add_one_then_fail()

    assert _add_one(5) == 6
