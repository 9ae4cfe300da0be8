from django.db import migrations


def run_sql_on_postgresql(forward: str, backward: str) -> migrations.RunPython:
    """A migration operation for PostgreSQL-only SQL (triggers); other databases skip it."""

    def run(sql: str):
        def apply(apps, schema_editor) -> None:
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(sql, params=None)

        return apply

    return migrations.RunPython(run(forward), run(backward))
