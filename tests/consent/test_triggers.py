"""On PostgreSQL the database itself guards the proof, whatever the application does."""

import pytest
from django.db import IntegrityError, transaction

from apps.consent.models import ConsentEvent, PurposeVersion
from apps.consent.services import consent_grant, purpose_version_create_draft

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def event(profile, purpose, decision_context) -> ConsentEvent:
    return consent_grant(
        profile=profile, purpose_version=purpose.current_version, **decision_context
    )


def test_the_database_refuses_to_update_a_consent_event(event):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        ConsentEvent.objects.filter(pk=event.pk).update(collection_point="forged")

    assert ConsentEvent.objects.get(pk=event.pk).collection_point == "preference-center"


def test_the_database_refuses_to_delete_a_consent_event(event):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        ConsentEvent.objects.filter(pk=event.pk)._raw_delete(using="default")

    assert ConsentEvent.objects.filter(pk=event.pk).exists()


def test_the_database_refuses_to_change_a_published_version(purpose):
    with pytest.raises(IntegrityError, match="frozen"), transaction.atomic():
        PurposeVersion.objects.filter(pk=purpose.current_version_id).update(text_de="forged")


def test_the_database_refuses_to_delete_a_published_version(purpose):
    draft = purpose_version_create_draft(purpose=purpose)
    PurposeVersion.objects.filter(pk=draft.pk).delete()

    with pytest.raises(IntegrityError, match="frozen"), transaction.atomic():
        PurposeVersion.objects.filter(pk=purpose.current_version_id)._raw_delete(using="default")


def test_the_database_lets_drafts_change(purpose):
    draft = purpose_version_create_draft(purpose=purpose)

    PurposeVersion.objects.filter(pk=draft.pk).update(text_de="Besser formuliert.")

    assert PurposeVersion.objects.get(pk=draft.pk).text_de == "Besser formuliert."
