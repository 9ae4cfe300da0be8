"""The data migration that turns stored "not interested" rows into declarations, run on its
conversion function (the table it reads from is gone once the migrations have run)."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from apps.consent.evidence import Evidence
from apps.consent.models import Channel, ConsentEvent
from apps.consent.services import consent_withdraw
from apps.personalization.models import OFFERS_NOT_INTERESTED, Offer
from apps.preferences.models import Attribute, Declaration, DeclarationHistory, Source
from tests.consent.factories import grant_consent
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("apps.personalization.migrations.0007_not_interested_declared")


def _withdraw(profile, purpose) -> None:
    consent_withdraw(
        profile=profile,
        purpose=purpose,
        channel=Channel.WEB,
        collection_point="test",
        evidence=Evidence(),
        language="de",
    )


@pytest.fixture
def offers(db):
    return [
        Offer.objects.create(key=key, title_de=f"{key} (de)", title_en=f"{key} (en)")
        for key in ("meat-box", "vegan-box")
    ]


def test_without_the_purpose_the_migration_changes_nothing(offers):
    profile = ProfileFactory()

    written = migration.declare_dismissals(apps, [(profile.pk, "vegan-box", timezone.now())])

    assert written == 0
    assert not Attribute.objects.exists()


def test_the_migration_makes_the_attribute_with_a_value_per_offer(purpose, offers):
    migration.declare_dismissals(apps, [])

    attribute = Attribute.objects.get(key=OFFERS_NOT_INTERESTED)
    assert (attribute.purpose, attribute.kind, attribute.is_asked) == (
        purpose,
        Attribute.Kind.MULTIPLE_CHOICE,
        False,
    )
    assert list(attribute.values.values_list("key", "label_en")) == [
        ("meat-box", "meat-box (en)"),
        ("vegan-box", "vegan-box (en)"),
    ]


def test_dismissals_of_a_granting_customer_become_one_declaration(purpose, offers):
    profile = ProfileFactory()
    grant_consent(profile, purpose)
    _withdraw(profile, purpose)
    latest = grant_consent(profile, purpose, collection_point="for-you")
    earlier, later = timezone.now() - timedelta(days=3), timezone.now() - timedelta(days=1)

    written = migration.declare_dismissals(
        apps, [(profile.pk, "vegan-box", later), (profile.pk, "meat-box", earlier)]
    )

    assert written == 1
    declaration = Declaration.objects.get()
    assert declaration.value == ["meat-box", "vegan-box"]
    assert (declaration.source, declaration.source_ref, declaration.source_label) == (
        Source.OFFER_FEEDBACK,
        "offer:vegan-box",
        "vegan-box (de)",
    )
    assert declaration.consent_event == latest
    assert declaration.declared_at == later
    history = DeclarationHistory.objects.get()
    assert (history.action, history.value) == ("declared", ["meat-box", "vegan-box"])


def test_dismissals_without_a_current_grant_are_not_carried_over(purpose, offers):
    never, withdrawn = ProfileFactory(), ProfileFactory()
    grant_consent(withdrawn, purpose)
    _withdraw(withdrawn, purpose)
    now = timezone.now()

    written = migration.declare_dismissals(
        apps, sorted([(never.pk, "vegan-box", now), (withdrawn.pk, "vegan-box", now)])
    )

    assert written == 0
    assert not Declaration.objects.exists()
    assert ConsentEvent.objects.filter(action="grant").count() == 1


def test_the_migration_adds_to_a_declaration_already_there(purpose, offers):
    from apps.personalization.services import offer_dismiss

    profile = ProfileFactory()
    grant_consent(profile, purpose)
    offer_dismiss(profile=profile, offer=offers[1])

    migration.declare_dismissals(apps, [(profile.pk, "meat-box", timezone.now())])

    assert Declaration.objects.get().value == ["meat-box", "vegan-box"]
    assert list(DeclarationHistory.objects.order_by("id").values_list("action", flat=True)) == [
        "declared",
        "changed",
    ]
