"""The data migration that tells current refusals from withdrawals, run on its function."""

import importlib

import pytest
from django.apps import apps

from apps.consent.models import ConsentEvent, ConsentState
from apps.consent.services import consent_grant
from apps.profiles.services import profile_merge
from tests.consent.legacy import legacy_no
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "apps.consent.migrations.0006_current_refusals_read_as_refusals"
)


def _status(profile, purpose) -> str:
    return ConsentState.objects.get(profile=profile, purpose=purpose).status


def test_a_first_no_becomes_a_refusal_and_a_no_after_a_yes_stays_a_withdrawal(
    purpose, decision_context
):
    refuser, withdrawer = ProfileFactory.create_batch(2)
    legacy_no(refuser, purpose)
    consent_grant(profile=withdrawer, purpose_version=purpose.current_version, **decision_context)
    legacy_no(withdrawer, purpose)

    migration.refusals_apart(apps, None)

    assert _status(refuser, purpose) == ConsentState.Status.REFUSED
    assert _status(withdrawer, purpose) == ConsentState.Status.WITHDRAWN


def test_a_yes_given_before_signing_in_makes_the_no_a_withdrawal(purpose, decision_context):
    anonymous, member = ProfileFactory.create_batch(2)
    consent_grant(profile=anonymous, purpose_version=purpose.current_version, **decision_context)
    profile_merge(source=anonymous, target=member)
    legacy_no(member, purpose)

    migration.refusals_apart(apps, None)

    assert _status(member, purpose) == ConsentState.Status.WITHDRAWN


def test_the_migration_leaves_the_events_as_they_were_and_goes_back(purpose):
    refuser = ProfileFactory()
    event = legacy_no(refuser, purpose)

    migration.refusals_apart(apps, None)
    assert ConsentEvent.objects.get(pk=event.pk).action == ConsentEvent.Action.WITHDRAW

    migration.refusals_together(apps, None)
    assert _status(refuser, purpose) == ConsentState.Status.WITHDRAWN
