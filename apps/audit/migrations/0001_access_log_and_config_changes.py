"""The access log and the configuration audit trail move here from the privacy app. Only
Django's idea of where they live changes: the tables keep their names and every row, and the
content types (with the permissions and roles that point at them) move with the models."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


MOVED_MODELS = ("accesslog", "configchange")


def _move_content_types(apps, *, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED_MODELS:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def content_types_to_audit(apps, schema_editor):
    _move_content_types(apps, source="privacy", target="audit")


def content_types_to_privacy(apps, schema_editor):
    _move_content_types(apps, source="audit", target="privacy")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("profiles", "0004_profile_erased"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        # The tables were made there, and the roles were given their permissions there.
        ("privacy", "0005_roles"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AccessLog',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('actor_kind', models.CharField(choices=[('staff', 'Staff'), ('partner', 'Partner')], max_length=20, verbose_name='actor')),
                        ('partner_name', models.CharField(blank=True, max_length=200, verbose_name='partner')),
                        ('data_category', models.CharField(max_length=100, verbose_name='data')),
                        ('purpose_key', models.CharField(blank=True, max_length=50, verbose_name='purpose')),
                        ('action', models.CharField(choices=[('view', 'Viewed'), ('export', 'Exported')], default='view', max_length=20, verbose_name='action')),
                        ('reason', models.CharField(blank=True, max_length=300, verbose_name='reason')),
                        ('occurred_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='time')),
                        ('profile', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='access_log', to='profiles.profile', verbose_name='profile')),
                        ('staff_user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='staff user')),
                    ],
                    options={
                        'verbose_name': 'access log entry',
                        'verbose_name_plural': 'access log',
                        'db_table': 'privacy_accesslog',
                        'ordering': ['-occurred_at', '-id'],
                        'indexes': [models.Index(fields=['profile', '-occurred_at'], name='privacy_access_profile_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='ConfigChange',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('staff_username', models.CharField(max_length=150, verbose_name='staff user name')),
                        ('object_id', models.CharField(max_length=64, verbose_name='object id')),
                        ('object_repr', models.CharField(max_length=200, verbose_name='object')),
                        ('action', models.CharField(choices=[('added', 'Added'), ('changed', 'Changed'), ('deleted', 'Deleted')], max_length=20, verbose_name='action')),
                        ('changes', models.JSONField(default=dict, verbose_name='changes')),
                        ('occurred_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='time')),
                        ('content_type', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype', verbose_name='kind')),
                        ('staff_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='staff user')),
                    ],
                    options={
                        'verbose_name': 'configuration change',
                        'verbose_name_plural': 'configuration changes',
                        'db_table': 'privacy_configchange',
                        'ordering': ['-occurred_at', '-id'],
                        'indexes': [models.Index(fields=['content_type', 'object_id'], name='privacy_configchange_obj_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_audit, content_types_to_privacy),
    ]
