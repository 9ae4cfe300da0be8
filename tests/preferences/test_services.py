from datetime import date, timedelta

import pytest
from django.utils import timezone

from apps.core.exceptions import ApplicationError
from apps.core.models import OutboxEvent
from apps.preferences.models import Attribute, Declaration, DeclarationHistory, Source
from apps.preferences.services import (
    preference_confirm,
    preference_declare,
    preference_delete,
)
from tests.consent.factories import publish_new_version, published_purpose
from tests.preferences.conftest import withdraw
from tests.preferences.factories import AttributeFactory
from tests.profiles.factories import ProfileFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _declare(profile, attribute, value, **kwargs) -> Declaration:
    return preference_declare(
        profile=profile,
        attribute=attribute,
        value=value,
        source=kwargs.pop("source", Source.QUIZ),
        **kwargs,
    )


def _make_stale(declaration: Declaration) -> None:
    Declaration.objects.filter(pk=declaration.pk).update(
        confirmed_at=timezone.now() - timedelta(days=400)
    )


def _history(profile) -> list[tuple[str, object]]:
    return list(
        DeclarationHistory.objects.filter(profile=profile)
        .order_by("id")
        .values_list("action", "value")
    )


def test_preference_declare_stores_value_provenance_and_consent(profile, favourite, granted):
    declaration = _declare(
        profile,
        favourite,
        "savory",
        source_ref="answer:42",
        source_label="Summer Style",
    )

    assert declaration.value == "savory"
    assert (declaration.source, declaration.source_ref, declaration.source_label) == (
        Source.QUIZ,
        "answer:42",
        "Summer Style",
    )
    assert declaration.consent_event == granted
    assert _history(profile) == [("declared", "savory")]
    event = OutboxEvent.objects.get(name="preference.declared")
    assert event.payload["attribute"] == "favourite_category"
    assert "value" not in event.payload


def test_preference_declare_without_consent_is_refused_and_changes_nothing(profile, favourite):
    with pytest.raises(ApplicationError, match="first agree"):
        _declare(profile, favourite, "savory")

    assert not Declaration.objects.exists()
    assert not DeclarationHistory.objects.exists()


def test_preference_declare_after_a_material_change_needs_consent_again(
    profile, favourite, granted, purpose
):
    publish_new_version(purpose, is_material=True)

    with pytest.raises(ApplicationError, match="first agree"):
        _declare(profile, favourite, "savory")


def test_preference_declare_a_changed_value_keeps_both_in_history(profile, favourite, granted):
    _declare(profile, favourite, "savory")

    declaration = _declare(profile, favourite, "sweet", source=Source.PREFERENCE_CENTER)

    assert declaration.value == "sweet"
    assert declaration.source == Source.PREFERENCE_CENTER
    assert _history(profile) == [("declared", "savory"), ("changed", "sweet")]


def test_preference_declare_the_same_value_counts_as_confirmation(profile, favourite, granted):
    first = _declare(profile, favourite, "savory")
    Declaration.objects.filter(pk=first.pk).update(
        confirmed_at=timezone.now() - timedelta(days=200)
    )

    again = _declare(profile, favourite, "savory")

    assert not again.is_stale
    assert _history(profile) == [("declared", "savory"), ("confirmed", "savory")]
    assert OutboxEvent.objects.filter(name="preference.confirmed").count() == 1


@pytest.mark.parametrize(
    ("kind", "extra", "value", "message"),
    [
        (Attribute.Kind.SINGLE_CHOICE, {}, "umami", "offered answers"),
        (Attribute.Kind.SINGLE_CHOICE, {}, ["sweet"], "offered answers"),
        (Attribute.Kind.MULTIPLE_CHOICE, {}, "sweet", "at least one"),
        (Attribute.Kind.MULTIPLE_CHOICE, {}, [], "at least one"),
        (Attribute.Kind.MULTIPLE_CHOICE, {}, ["sweet", "umami"], "only from"),
        (Attribute.Kind.SCALE, {"min_value": 1, "max_value": 5}, 6, "from 1 to 5"),
        (Attribute.Kind.SCALE, {"min_value": 1, "max_value": 5}, "three", "whole number"),
        (Attribute.Kind.NUMBER, {"min_value": 0, "max_value": 9}, True, "whole number"),
        (Attribute.Kind.TEXT, {"max_length": 5}, "far too long", "5 characters"),
        (Attribute.Kind.TEXT, {}, "   ", "few words"),
        (Attribute.Kind.DATE, {}, "31.05.2024", "date like"),
        (Attribute.Kind.DATE, {}, 20240531, "date like"),
    ],
)
def test_preference_declare_refuses_a_wrong_value(
    profile, purpose, granted, kind, extra, value, message
):
    attribute = AttributeFactory(kind=kind, purpose=purpose, **extra)

    with pytest.raises(ApplicationError, match=message):
        _declare(profile, attribute, value)

    assert not Declaration.objects.exists()


@pytest.mark.parametrize(
    ("kind", "extra", "value", "stored"),
    [
        (Attribute.Kind.MULTIPLE_CHOICE, {}, ["spicy", "sweet", "spicy"], ["sweet", "spicy"]),
        (Attribute.Kind.SCALE, {"min_value": 0, "max_value": 10}, "7", 7),
        (Attribute.Kind.TEXT, {}, "  More tea  ", "More tea"),
        (Attribute.Kind.DATE, {}, date(1990, 5, 31), "1990-05-31"),
    ],
)
def test_preference_declare_normalises_values(
    profile, purpose, granted, kind, extra, value, stored
):
    attribute = AttributeFactory(kind=kind, purpose=purpose, **extra)

    assert _declare(profile, attribute, value).value == stored


def test_preference_declare_refuses_special_category_without_an_explicit_purpose(
    profile, purpose, granted
):
    attribute = AttributeFactory(purpose=purpose)
    Attribute.objects.filter(pk=attribute.pk).update(is_special_category=True)

    with pytest.raises(ApplicationError, match="explicit consent"):
        _declare(profile, attribute, "sweet")


def test_preference_declare_accepts_special_category_with_its_explicit_consent(profile):
    from tests.preferences.conftest import grant

    health = published_purpose(key="health_personalization", allows_special_category=True)
    attribute = AttributeFactory(purpose=health, is_special_category=True, choices=["gluten"])
    grant(profile, health)

    assert _declare(profile, attribute, "gluten").value == "gluten"


def test_preference_declare_refuses_an_inactive_attribute(profile, favourite, granted):
    Attribute.objects.filter(pk=favourite.pk).update(is_active=False)

    with pytest.raises(ApplicationError, match="no longer asked"):
        _declare(profile, favourite, "sweet")


def test_preference_confirm_marks_it_fresh_and_publishes(profile, favourite, granted):
    declaration = _declare(profile, favourite, "savory")
    Declaration.objects.filter(pk=declaration.pk).update(
        confirmed_at=timezone.now() - timedelta(days=181)
    )
    declaration.refresh_from_db()
    assert declaration.is_stale

    confirmed = preference_confirm(profile=profile, declaration_id=declaration.pk)

    assert not confirmed.is_stale
    assert _history(profile)[-1] == ("confirmed", "savory")
    assert OutboxEvent.objects.filter(name="preference.confirmed").exists()


def test_preference_confirm_after_withdrawal_is_refused(profile, favourite, granted, purpose):
    declaration = _declare(profile, favourite, "savory")
    _make_stale(declaration)
    withdraw(profile, purpose)

    with pytest.raises(ApplicationError, match="withdrew"):
        preference_confirm(profile=profile, declaration_id=declaration.pk)


def test_preference_delete_forgets_the_value_and_records_it(profile, favourite, granted):
    declaration = _declare(profile, favourite, "savory")

    preference_delete(profile=profile, declaration_id=declaration.pk)

    assert not Declaration.objects.exists()
    assert _history(profile) == [("declared", "savory"), ("deleted", None)]
    assert OutboxEvent.objects.filter(name="preference.deleted").exists()


def test_someone_elses_declaration_cannot_be_confirmed_or_deleted(profile, favourite, granted):
    declaration = _declare(profile, favourite, "savory")
    stranger = ProfileFactory()

    for action in (preference_confirm, preference_delete):
        with pytest.raises(Declaration.DoesNotExist):
            action(profile=stranger, declaration_id=declaration.pk)

    assert Declaration.objects.get().value == "savory"


def test_declaration_history_rows_cannot_be_changed(profile, favourite, granted):
    _declare(profile, favourite, "savory")
    entry = DeclarationHistory.objects.get()

    entry.value = "sweet"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()


def test_staleness_follows_the_attribute_period(profile, favourite, granted):
    declaration = _declare(profile, favourite, "savory")

    assert declaration.stale_since == timezone.localdate(
        declaration.confirmed_at + timedelta(days=180)
    )
    Declaration.objects.filter(pk=declaration.pk).update(
        confirmed_at=timezone.now() - timedelta(days=179)
    )
    declaration.refresh_from_db()
    assert not declaration.is_stale
    Declaration.objects.filter(pk=declaration.pk).update(
        confirmed_at=timezone.now() - timedelta(days=181)
    )
    declaration.refresh_from_db()
    assert declaration.is_stale


def test_an_attribute_without_a_period_is_never_stale(profile, purpose, granted):
    attribute = AttributeFactory(purpose=purpose, freshness_days=None)
    declaration = _declare(profile, attribute, "sweet")
    Declaration.objects.filter(pk=declaration.pk).update(
        confirmed_at=timezone.now() - timedelta(days=3000)
    )
    declaration.refresh_from_db()

    assert declaration.stale_since is None
    assert not declaration.is_stale


def test_a_fresh_declaration_has_nothing_to_confirm(profile, favourite, granted):
    declaration = _declare(profile, favourite, "savory")

    with pytest.raises(ApplicationError, match="up to date"):
        preference_confirm(profile=profile, declaration_id=declaration.pk)

    assert _history(profile) == [("declared", "savory")]


def test_repeated_confirmations_within_a_period_share_one_occurrence(profile, favourite, granted):
    declaration = _declare(profile, favourite, "savory")
    _make_stale(declaration)
    preference_confirm(profile=profile, declaration_id=declaration.pk)
    _declare(profile, favourite, "savory")
    _declare(profile, favourite, "savory")

    keys = [
        e.payload["idempotency_key"]
        for e in OutboxEvent.objects.filter(name="preference.confirmed").order_by("id")
    ]
    assert len(keys) == 3
    assert keys[0] != keys[1]
    assert keys[1] == keys[2]


def test_an_answered_attribute_keeps_its_type_and_purpose(profile, favourite, granted):
    from apps.preferences.services import attribute_save

    _declare(profile, favourite, "savory")
    favourite.kind = Attribute.Kind.TEXT

    with pytest.raises(ApplicationError, match="answered this already"):
        attribute_save(attribute=favourite)

    assert Attribute.objects.get(pk=favourite.pk).kind == Attribute.Kind.SINGLE_CHOICE


@pytest.mark.postgres
def test_a_long_answer_is_kept(profile, purpose, granted):
    import secrets

    # Longer than a B-tree index entry may be once compressed: no index may hold values.
    essay = AttributeFactory(kind=Attribute.Kind.TEXT, max_length=10_000, purpose=purpose)
    text = secrets.token_hex(4_000)

    preference_declare(profile=profile, attribute=essay, value=text, source=Source.IMPORT)

    assert Declaration.objects.get(profile=profile, attribute=essay).value == text
