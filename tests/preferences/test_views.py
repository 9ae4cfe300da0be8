import pytest
from django.urls import reverse

from apps.audit.models import AccessLog
from apps.audit.services import access_log_record
from apps.preferences.models import Attribute, Declaration, DeclarationHistory, Source
from apps.preferences.services import preference_declare
from apps.profiles.models import Profile
from tests.preferences.conftest import withdraw
from tests.preferences.factories import AttributeFactory
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db


def _declare(profile, attribute, value) -> Declaration:
    return preference_declare(
        profile=profile,
        attribute=attribute,
        value=value,
        source=Source.QUIZ,
        source_label="Summer Style",
    )


def _many_declarations(profile, purpose, granted, count: int) -> None:
    attributes = Attribute.objects.bulk_create(
        Attribute(
            key=f"bulk_{count}_{n}",
            kind=Attribute.Kind.TEXT,
            topic=Attribute.Topic.OPINIONS,
            purpose=purpose,
            label_de=f"Frage {n}",
            label_en=f"Question {n}",
        )
        for n in range(count)
    )
    Declaration.objects.bulk_create(
        Declaration(
            profile=profile,
            attribute=attribute,
            value="ja",
            source=Source.QUIZ,
            source_label="Quiz",
            consent_event=granted,
        )
        for attribute in attributes
    )


def test_preference_center_for_a_new_visitor_creates_nothing(client, favourite):
    response = client.get(reverse("preferences:center"))

    assert response.status_code == 200
    assert "Frage favourite_category" in response.content.decode()
    assert not Profile.objects.exists()


@pytest.mark.parametrize("count", [5, 200])
def test_preference_center_query_count_is_constant(
    visitor, profile, purpose, granted, count, django_assert_num_queries
):
    _many_declarations(profile, purpose, granted, count)
    access_log_record(profiles=[profile], data_category="declarations", partner_name="Shop")

    # session, profile, attributes, values, declarations, granted purposes, points account,
    # consent panel (2), re-prompt banner (2), access log, last-seen update
    with django_assert_num_queries(13):
        response = visitor.get(reverse("preferences:center"))

    assert response.content.decode().count('<li class="pref-row') == count
    assert "Shop" in response.content.decode()


def test_preference_center_tells_where_a_value_came_from(visitor, profile, favourite, granted):
    _declare(profile, favourite, "savory")

    html = visitor.get(reverse("preferences:center")).content.decode()

    assert "savory (de)" in html
    assert "Im Quiz „Summer Style“ am" in html


def test_saving_without_javascript_redirects_to_the_row(visitor, profile, favourite, granted):
    response = visitor.post(
        reverse("preferences:save", args=["favourite_category"]), {"value": "sweet"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/me/#pref-favourite_category"
    declaration = Declaration.objects.get()
    assert (declaration.value, declaration.source) == ("sweet", Source.PREFERENCE_CENTER)


def test_saving_with_htmx_swaps_the_row(visitor, profile, favourite, granted):
    response = visitor.post(
        reverse("preferences:save", args=["favourite_category"]),
        {"value": "sweet"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert html.strip().startswith('<li class="pref-row" id="pref-favourite_category"')
    assert "Gespeichert." in html


def test_the_edit_form_is_a_fragment_for_htmx_and_a_page_without(visitor, favourite, granted):
    url = reverse("preferences:edit", args=["favourite_category"])

    fragment = visitor.get(url, headers={"HX-Request": "true"}).content.decode()
    page = visitor.get(url).content.decode()

    assert fragment.strip().startswith('<li class="pref-row pref-row--editing"')
    assert "<html" in page
    assert 'name="value"' in page


def test_a_value_outside_the_allowed_set_is_a_translated_error(
    visitor, profile, favourite, granted
):
    response = visitor.post(
        reverse("preferences:save", args=["favourite_category"]),
        {"value": "umami"},
        headers={"HX-Request": "true"},
    )

    assert "Wähle eine der angebotenen Antworten." in response.content.decode()
    assert not Declaration.objects.exists()


def test_a_wrong_type_without_javascript_is_a_400_with_the_form(visitor, purpose, granted):
    AttributeFactory(
        key="budget", kind=Attribute.Kind.SCALE, purpose=purpose, min_value=1, max_value=5
    )

    response = visitor.post(reverse("preferences:save", args=["budget"]), {"value": "lots"})

    assert response.status_code == 400
    assert "Gib eine ganze Zahl ein." in response.content.decode()
    assert not Declaration.objects.exists()


def test_an_unknown_attribute_is_a_404(visitor, granted):
    response = visitor.post(reverse("preferences:save", args=["shoe_size"]), {"value": "42"})

    assert response.status_code == 404


def test_declaring_without_consent_says_what_to_agree_to(client, favourite):
    response = client.post(
        reverse("preferences:save", args=["favourite_category"]),
        {"value": "sweet"},
        headers={"HX-Request": "true"},
    )

    assert "Zweck personalization" in response.content.decode()
    assert not Profile.objects.exists()


def test_someone_elses_declaration_is_a_404(visitor, purpose, favourite):
    from tests.preferences.conftest import grant

    stranger = ProfileFactory()
    grant(stranger, purpose)
    theirs = _declare(stranger, favourite, "savory")

    for name in ("preferences:still-true", "preferences:delete"):
        assert visitor.post(reverse(name, args=[theirs.pk])).status_code == 404

    assert Declaration.objects.get().value == "savory"


def _make_stale(declaration) -> None:
    from datetime import timedelta

    from django.utils import timezone

    Declaration.objects.filter(pk=declaration.pk).update(
        confirmed_at=timezone.now() - timedelta(days=400)
    )


def test_still_true_and_delete_from_the_page(visitor, profile, favourite, granted):
    declaration = _declare(profile, favourite, "savory")
    _make_stale(declaration)

    confirm = visitor.post(
        reverse("preferences:still-true", args=[declaration.pk]), headers={"HX-Request": "true"}
    )
    delete = visitor.post(
        reverse("preferences:delete", args=[declaration.pk]), headers={"HX-Request": "true"}
    )

    assert "Danke fürs Bestätigen." in confirm.content.decode()
    assert "Gelöscht." in delete.content.decode()
    assert list(DeclarationHistory.objects.order_by("id").values_list("action", flat=True)) == [
        "declared",
        "confirmed",
        "deleted",
    ]


def test_still_true_after_withdrawal_explains_itself(visitor, profile, favourite, granted, purpose):
    declaration = _declare(profile, favourite, "savory")
    _make_stale(declaration)
    withdraw(profile, purpose)

    response = visitor.post(reverse("preferences:still-true", args=[declaration.pk]), follow=True)

    assert "nutzen wir sie nicht mehr" in response.content.decode()


def test_history_page_lists_what_was_said(visitor, profile, favourite, granted):
    _declare(profile, favourite, "savory")
    _declare(profile, favourite, "sweet")

    html = visitor.get(reverse("preferences:history", args=["favourite_category"])).content.decode()

    assert html.index("sweet (de)") < html.index("savory (de)")


def test_staff_see_declarations_read_only_and_every_read_is_logged(
    client, admin_user, profile, favourite, granted
):
    declaration = _declare(profile, favourite, "savory")
    client.force_login(admin_user)

    listing = client.get(reverse("admin:preferences_declaration_changelist"))
    client.post(
        reverse("admin:preferences_declaration_change", args=[declaration.pk]),
        {"_access_reason": "1", "reason": "Checking a complaint"},
    )
    detail = client.get(reverse("admin:preferences_declaration_change", args=[declaration.pk]))
    edit = client.post(
        reverse("admin:preferences_declaration_change", args=[declaration.pk]), {"value": '"x"'}
    )

    assert listing.status_code == detail.status_code == 200
    assert edit.status_code == 403
    assert (
        AccessLog.objects.filter(
            staff_user=admin_user, data_category="declarations", profile=profile
        ).count()
        == 2
    )


def test_a_retired_question_still_shows_what_was_said_and_can_be_deleted(
    visitor, profile, favourite, granted
):
    declaration = _declare(profile, favourite, "savory")
    Attribute.objects.filter(pk=favourite.pk).update(is_active=False)

    page = visitor.get(reverse("preferences:center")).content.decode()
    history = visitor.get(reverse("preferences:history", args=["favourite_category"]))
    deleted = visitor.post(reverse("preferences:delete", args=[declaration.pk]))

    assert "savory (de)" in page
    assert history.status_code == 200
    assert deleted.status_code == 302
    assert not Declaration.objects.exists()


def test_the_preference_center_shows_the_points(visitor, profile):
    from apps.loyalty.services import ledger_credit

    ledger_credit(profile=profile, points=70, idempotency_key="quiz:1", reason="Quiz")

    html = visitor.get(reverse("preferences:center")).content.decode()

    assert "Du hast 70 Punkte." in html
    assert reverse("loyalty:wallet") in html


@pytest.fixture
def declined(purpose) -> Attribute:
    """Answered elsewhere, never asked here, like “not interested” in an offer."""
    return AttributeFactory(
        key="declined",
        kind=Attribute.Kind.MULTIPLE_CHOICE,
        purpose=purpose,
        choices=["first", "second", "third"],
        is_asked=False,
    )


def test_an_attribute_not_asked_here_is_not_offered_as_a_question(visitor, declined, granted):
    page = visitor.get(reverse("preferences:center")).content.decode()
    edit = visitor.get(reverse("preferences:edit", args=["declined"]))
    save = visitor.post(reverse("preferences:save", args=["declined"]), {"value": ["first"]})

    assert 'id="pref-declined"' not in page
    assert edit.status_code == save.status_code == 404
    assert not Declaration.objects.exists()


def test_an_attribute_not_asked_here_shows_once_declared(visitor, profile, declined, granted):
    _declare(profile, declined, ["first", "third"])

    page = visitor.get(reverse("preferences:center")).content.decode()

    assert 'id="pref-declined"' in page
    assert "first (de), third (de)" in page


def test_changing_an_attribute_not_asked_here_offers_only_what_was_said(
    visitor, profile, declined, granted
):
    _declare(profile, declined, ["first", "third"])
    url = reverse("preferences:save", args=["declined"])

    form = visitor.get(reverse("preferences:edit", args=["declined"])).content.decode()
    added = visitor.post(url, {"value": ["first", "second"]})
    kept = visitor.post(url, {"value": ["third"]})

    assert 'value="first"' in form
    assert 'value="third"' in form
    assert 'value="second"' not in form
    assert added.status_code == 400
    assert kept.status_code == 302
    assert Declaration.objects.get().value == ["third"]
