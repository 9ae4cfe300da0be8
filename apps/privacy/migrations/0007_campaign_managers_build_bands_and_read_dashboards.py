from django.contrib.auth.management import create_permissions
from django.db import migrations

from apps.privacy.roles import roles_sync


def sync_roles(apps, schema_editor):
    # Campaign managers build score bands in the builder and read the dashboards. As in
    # 0005_roles: permissions are normally made after all migrations; the roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles_sync(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0006_access_log_and_config_changes_to_audit"),
        ("campaigns", "0020_dimension_names_and_score_tallies"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
