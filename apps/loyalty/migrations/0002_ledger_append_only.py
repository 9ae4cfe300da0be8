"""On PostgreSQL the database refuses to change or delete ledger entries."""

from django.db import migrations

from apps.core.db import run_sql_on_postgresql

FORWARD = """
CREATE OR REPLACE FUNCTION loyalty_reject_entry_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only (% refused)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER loyalty_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON loyalty_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION loyalty_reject_entry_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS loyalty_ledgerentry_append_only ON loyalty_ledgerentry;
DROP FUNCTION IF EXISTS loyalty_reject_entry_change();
"""


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0001_ledger")]

    operations = [run_sql_on_postgresql(FORWARD, BACKWARD)]
