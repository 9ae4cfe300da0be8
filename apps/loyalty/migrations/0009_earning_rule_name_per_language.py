"""An earning rule's name is kept per language: customers read it in their points history.
The name each rule has becomes its German name (the fallback every language reads until
staff write a translation), and the original column keeps mirroring German."""

from django.db import migrations, models
from django.db.models import F


def name_becomes_german(apps, schema_editor) -> None:
    apps.get_model("loyalty", "EarningRule").objects.update(name_de=F("name"))


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0008_copy_german_into_original_fields")]

    operations = [
        migrations.AddField(
            model_name="earningrule",
            name="name_de",
            field=models.CharField(default="", max_length=200, verbose_name="name"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="earningrule",
            name="name_en",
            field=models.CharField(blank=True, default="", max_length=200, verbose_name="name"),
            preserve_default=False,
        ),
        # Going back drops the columns, so there is nothing to undo.
        migrations.RunPython(name_becomes_german, migrations.RunPython.noop),
    ]
