import uuid

from apps.consent.models import Purpose
from apps.preferences.events import PreferenceConfirmed, PreferenceDeclared, PreferenceDeleted
from apps.preferences.models import Attribute, Declaration, Source
from apps.profiles.models import Profile


def _declaration() -> Declaration:
    return Declaration(
        profile=Profile(public_id=uuid.UUID("00000000-0000-4000-8000-000000000001")),
        attribute=Attribute(key="diet", purpose=Purpose(key="personalization")),
        source=Source.QUIZ,
        value="vegan",
    )


def test_a_declaration_event_names_the_declaration_but_never_carries_its_value():
    payload = PreferenceDeclared.of(_declaration()).payload()

    assert payload == {
        "profile": "00000000-0000-4000-8000-000000000001",
        "attribute": "diet",
        "purpose": "personalization",
        "source": "quiz",
    }
    assert "vegan" not in payload.values()


def test_a_confirmation_adds_its_idempotency_key_last():
    confirmed = PreferenceConfirmed.of(_declaration(), idempotency_key="confirm:1:always-fresh")

    assert list(confirmed.payload()) == [
        "profile",
        "attribute",
        "purpose",
        "source",
        "idempotency_key",
    ]
    assert confirmed.name == "preference.confirmed"


def test_a_deletion_is_built_from_the_declaration_before_it_goes():
    assert PreferenceDeleted.of(_declaration()).payload()["attribute"] == "diet"
