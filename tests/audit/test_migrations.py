"""The access log and the configuration audit trail moved from the privacy app to the audit app
without losing a row: migrate back to before the move, write rows, migrate forward, find them."""

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apps.audit.models import AccessLog, ConfigChange
from apps.consent.models import Purpose
from tests.profiles.factories import ProfileFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BEFORE_THE_MOVE = [("privacy", "0005_roles"), ("audit", None)]


def _migrate(targets) -> None:
    MigrationExecutor(connection).migrate(targets)
    ContentType.objects.clear_cache()


@pytest.fixture
def migrate_forward():
    """Migrates to the latest state; again after the test, so a failure leaves no old schema
    behind for the tests that follow."""
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    yield lambda: _migrate(latest)
    _migrate(latest)


def test_moving_the_audit_models_keeps_every_row_and_their_content_types(migrate_forward):
    profile = ProfileFactory()
    staff = User.objects.create_user(username="officer", is_staff=True)
    purpose_type = ContentType.objects.get_for_model(Purpose)

    _migrate(BEFORE_THE_MOVE)
    old = MigrationExecutor(connection).loader.project_state([("privacy", "0005_roles")]).apps
    OldAccessLog = old.get_model("privacy", "AccessLog")
    OldConfigChange = old.get_model("privacy", "ConfigChange")
    OldContentType = old.get_model("contenttypes", "ContentType")
    read = OldAccessLog.objects.create(
        profile_id=profile.pk,
        actor_kind="staff",
        staff_user_id=staff.pk,
        data_category="consent_history",
        reason="Ticket 4711",
    )
    change = OldConfigChange.objects.create(
        staff_user_id=staff.pk,
        staff_username="officer",
        content_type_id=purpose_type.pk,
        object_id="7",
        object_repr="Newsletter",
        action="changed",
        changes={"title": {"from": "A", "to": "B"}},
    )
    access_log_type = OldContentType.objects.get(app_label="privacy", model="accesslog")

    migrate_forward()

    assert AccessLog.objects.values_list("pk", "profile", "reason").get() == (
        read.pk,
        profile.pk,
        "Ticket 4711",
    )
    assert ConfigChange.objects.values_list("pk", "content_type", "changes").get() == (
        change.pk,
        purpose_type.pk,
        {"title": {"from": "A", "to": "B"}},
    )
    moved = ContentType.objects.get_for_model(AccessLog)
    assert (moved.pk, moved.app_label) == (access_log_type.pk, "audit")
    assert not ContentType.objects.filter(app_label="privacy", model="accesslog").exists()
    # django-axes has an access log of its own (staff sign-ins).
    ours = Permission.objects.exclude(content_type__app_label="axes")
    assert ours.get(codename="view_accesslog").content_type_id == moved.pk
