import weakref

from django.db import migrations
from django.db.backends.utils import CursorWrapper

# Statements prepared in each database session, keyed by the driver's connection, so a
# reconnect (which starts a new session) prepares them again.
_prepared_in_session: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()


def run_sql_on_postgresql(forward: str, backward: str) -> migrations.RunPython:
    """A migration operation for PostgreSQL-only SQL (triggers); other databases skip it."""

    def run(sql: str):
        def apply(apps, schema_editor) -> None:
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(sql, params=None)

        return apply

    return migrations.RunPython(run(forward), run(backward))


def execute_prepared(cursor: CursorWrapper, name: str, sql: str, params: list) -> None:
    """Run `sql`, written with $1, $2... placeholders, as a prepared statement of this
    PostgreSQL session, preparing it on first use.

    Django does not prepare statements (they break transaction-mode connection poolers). For a
    statement that runs on every request and costs more to plan than to run, it pays off;
    use session pooling in front of such a database.
    """
    session = cursor.db.connection
    prepared = _prepared_in_session.setdefault(session, set())
    if name not in prepared:
        # PREPARE is not undone by a rollback; it lives as long as the session.
        cursor.execute(f"PREPARE {name} AS {sql}")
        prepared.add(name)
    cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(params))})", params)
