"""Empty the test database between transactional tests by DELETE instead of TRUNCATE.

On PostgreSQL a TRUNCATE of the project's ~90 tables gives every table and index a new file
and takes seconds, while the handful of rows a test leaves behind delete in milliseconds:
across the suite's transactional and browser tests that is minutes of CI time. Rows go with
foreign-key and append-only triggers switched off for the flush's own transaction
(`session_replication_role = replica`, which needs a superuser: without one, TRUNCATE stays).
"""

from collections.abc import Callable

from django.db.backends.postgresql.operations import DatabaseOperations


def _quick_sql_flush(original: Callable) -> Callable:
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return original(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        deletes = [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
        ]
        return ["SET LOCAL session_replication_role = replica;", *deletes]

    return sql_flush


def flush_by_delete_when_allowed(connection, monkeypatch) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        (is_superuser,) = cursor.fetchone()
    if is_superuser:
        monkeypatch.setattr(
            DatabaseOperations, "sql_flush", _quick_sql_flush(DatabaseOperations.sql_flush)
        )
