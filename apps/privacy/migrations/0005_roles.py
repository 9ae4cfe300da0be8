from django.contrib.auth.management import create_permissions
from django.db import migrations

from apps.privacy.roles import ROLES, roles_sync


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations; the roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles_sync(apps=apps)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("campaigns", "0012_scheduled_status"),
        ("challenges", "0001_challenges"),
        ("loyalty", "0006_rule_segment"),
        ("personalization", "0008_delete_offerdismissal"),
        ("preferences", "0004_attribute_is_asked_offer_feedback"),
        ("consent", "0002_append_only_triggers"),
        ("profiles", "0004_profile_erased"),
        ("partners", "0002_partner_api"),
        ("privacy", "0004_data_requests"),
        ("insights", "0001_rollups"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
