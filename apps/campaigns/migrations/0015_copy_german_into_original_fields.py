"""The original column of each translated field holds the German text, as the library expects
of the default language; the per-language columns keep the texts they had."""

from django.db import migrations
from django.db.models import F

TRANSLATED_FIELDS = {
    "Campaign": ["title", "intro"],
    "Outcome": ["title", "text", "next_step_label"],
    "Question": ["text"],
    "Option": ["label"],
}


def copy_german_into_original(apps, schema_editor) -> None:
    for model_name, fields in TRANSLATED_FIELDS.items():
        model = apps.get_model("campaigns", model_name)
        model.objects.update(**{field: F(f"{field}_de") for field in fields})


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0014_fields_per_language")]

    operations = [
        # Going back drops the original columns, so there is nothing to undo.
        migrations.RunPython(copy_german_into_original, migrations.RunPython.noop),
    ]
