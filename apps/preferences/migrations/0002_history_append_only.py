"""On PostgreSQL the database refuses to rewrite declaration history. Deleting stays possible,
because retention and erasure remove it when its time is up."""

from django.db import migrations

from apps.core.db import run_sql_on_postgresql

FORWARD = """
CREATE OR REPLACE FUNCTION preferences_reject_history_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'declaration history is append-only (UPDATE refused)'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER preferences_history_append_only
    BEFORE UPDATE ON preferences_declarationhistory
    FOR EACH ROW EXECUTE FUNCTION preferences_reject_history_update();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS preferences_history_append_only ON preferences_declarationhistory;
DROP FUNCTION IF EXISTS preferences_reject_history_update();
"""


class Migration(migrations.Migration):
    dependencies = [("preferences", "0001_declarations")]

    operations = [
        run_sql_on_postgresql(FORWARD, BACKWARD),
    ]
