"""The access log and the configuration audit trail now belong to the audit app (see
audit/0001): forgotten here in Django's state only; the tables and their rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0005_roles"),
        ("audit", "0001_access_log_and_config_changes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AccessLog"),
                migrations.DeleteModel(name="ConfigChange"),
            ],
            database_operations=[],
        ),
    ]
