"""On PostgreSQL the database itself refuses to alter consent proof: consent events can never
be updated or deleted, and a published purpose version can never change."""

from django.db import migrations

from apps.core.db import run_sql_on_postgresql

FORWARD = """
CREATE OR REPLACE FUNCTION consent_reject_event_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'consent events are append-only (% refused)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER consent_event_append_only
    BEFORE UPDATE OR DELETE ON consent_consentevent
    FOR EACH ROW EXECUTE FUNCTION consent_reject_event_change();

CREATE OR REPLACE FUNCTION consent_reject_published_version_change() RETURNS trigger AS $$
BEGIN
    IF OLD.published_at IS NOT NULL THEN
        RAISE EXCEPTION 'purpose version % is published and frozen (% refused)', OLD.id, TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER consent_purposeversion_frozen
    BEFORE UPDATE OR DELETE ON consent_purposeversion
    FOR EACH ROW EXECUTE FUNCTION consent_reject_published_version_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS consent_purposeversion_frozen ON consent_purposeversion;
DROP FUNCTION IF EXISTS consent_reject_published_version_change();
DROP TRIGGER IF EXISTS consent_event_append_only ON consent_consentevent;
DROP FUNCTION IF EXISTS consent_reject_event_change();
"""


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_consent_records")]

    operations = [
        run_sql_on_postgresql(FORWARD, BACKWARD),
    ]
