import pytest
from django.urls import reverse

from apps.audit.models import AccessLog
from apps.consent.models import ConsentEvent, PurposeVersion
from apps.consent.services import consent_grant, consent_withdraw, purpose_version_create_draft
from tests.campaigns.factories import CampaignFactory
from tests.consent.legacy import legacy_no
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_purpose_list_counts_refusals_apart_from_withdrawals(
    staff_client, purpose, decision_context, django_assert_max_num_queries
):
    for profile in ProfileFactory.create_batch(3):
        consent_grant(profile=profile, purpose_version=purpose.current_version, **decision_context)
    withdrawing = ProfileFactory()
    consent_grant(profile=withdrawing, purpose_version=purpose.current_version, **decision_context)
    consent_withdraw(profile=withdrawing, purpose=purpose, **decision_context)
    for profile in ProfileFactory.create_batch(2):
        consent_withdraw(profile=profile, purpose=purpose, **decision_context)

    with django_assert_max_num_queries(12):
        response = staff_client.get(reverse("admin:consent_purpose_changelist"))

    assert response.status_code == 200
    row = response.context["cl"].result_list[0]
    counts = (row.granted_count, row.refused_count, row.withdrawn_count, row.grant_count)
    assert counts == (3, 2, 1, 4)


def test_event_list_names_the_decision_and_the_campaign(
    staff_client, purpose, decision_context, django_assert_max_num_queries
):
    campaign = CampaignFactory(slug="snack-typ", title_de="Welcher Snack-Typ bist du?")
    for profile in ProfileFactory.create_batch(3):
        consent_withdraw(
            profile=profile,
            purpose=purpose,
            **{**decision_context, "collection_point": f"campaign:{campaign.slug}"},
        )

    with django_assert_max_num_queries(20):
        response = staff_client.get(reverse("admin:consent_consentevent_changelist"))

    page = response.content.decode()
    assert '<span title="campaign:snack-typ">Welcher Snack-Typ bist du?</span>' in page
    assert ">campaign:snack-typ<" not in page
    assert "Abgelehnt" in page


def test_publishing_asks_for_confirmation_then_freezes_the_version(staff_client, purpose):
    draft = purpose_version_create_draft(purpose=purpose)
    url = reverse("admin:consent_purposeversion_publish", args=[draft.pk])

    confirm_page = staff_client.get(url)
    draft.refresh_from_db()
    assert confirm_page.status_code == 200
    assert not draft.is_published

    staff_client.post(url)

    draft.refresh_from_db()
    purpose.refresh_from_db()
    assert draft.is_published
    assert purpose.current_version == draft


def test_a_published_version_cannot_be_edited_in_the_admin(staff_client, purpose):
    version = purpose.current_version
    url = reverse("admin:consent_purposeversion_change", args=[version.pk])

    page = staff_client.get(url)
    attempt = staff_client.post(url, {"title_de": "Geändert", "text_de": "Geändert"})

    assert page.status_code == 200
    assert 'name="text_de"' not in page.content.decode()
    assert attempt.status_code == 403
    assert PurposeVersion.objects.get(pk=version.pk).text_de == version.text_de


def test_a_draft_is_edited_and_numbered_in_the_admin(staff_client, purpose):
    response = staff_client.post(
        reverse("admin:consent_purposeversion_add"),
        {
            "purpose": purpose.pk,
            "is_material": "on",
            "title_de": "Neu",
            "title_en": "New",
            "summary_de": "Kurz",
            "summary_en": "Short",
            "text_de": "Lang",
            "text_en": "Long",
        },
    )

    assert response.status_code == 302
    draft = PurposeVersion.objects.get(title_de="Neu")
    assert (draft.version, draft.is_published) == (2, False)


def test_a_draft_needs_its_wording_in_every_language(staff_client, purpose):
    response = staff_client.post(
        reverse("admin:consent_purposeversion_add"),
        {
            "purpose": purpose.pk,
            "title_de": "Neu",
            "title_en": "New",
            "summary_de": "Kurz",
            "summary_en": "Short",
            "text_de": "Lang",
            "text_en": "",
        },
    )

    assert response.status_code == 200
    assert "text_en" in response.context["adminform"].form.errors
    assert not PurposeVersion.objects.filter(title_de="Neu").exists()


def test_consent_events_are_read_only_in_the_admin(
    staff_client, profile, purpose, decision_context
):
    event = consent_grant(
        profile=profile, purpose_version=purpose.current_version, **decision_context
    )
    url = reverse("admin:consent_consentevent_change", args=[event.pk])

    staff_client.post(url, {"collection_point": "forged"})
    delete = staff_client.post(reverse("admin:consent_consentevent_delete", args=[event.pk]))

    assert delete.status_code == 403
    assert ConsentEvent.objects.get().collection_point == "preference-center"


def test_staff_reading_consent_history_is_logged(
    staff_client, admin_user, purpose, decision_context
):
    profiles = ProfileFactory.create_batch(2)
    for profile in profiles:
        consent_grant(profile=profile, purpose_version=purpose.current_version, **decision_context)

    staff_client.get(reverse("admin:consent_consentevent_changelist"))
    event = ConsentEvent.objects.first()
    url = reverse("admin:consent_consentevent_change", args=[event.pk])
    staff_client.post(url, {"_access_reason": "1", "reason": "Checking a complaint"})
    staff_client.get(url)

    logged = AccessLog.objects.filter(staff_user=admin_user, data_category="consent_history")
    assert sorted(logged.values_list("profile_id", flat=True)) == sorted(
        [profiles[0].pk, profiles[1].pk, event.profile_id]
    )


def _legacy_refusal_and_withdrawal(purpose, decision_context):
    """Two "no"s stored the old way: a first no (a refusal) and a yes taken back."""
    refusing, withdrawing = ProfileFactory.create_batch(2)
    refusal = legacy_no(refusing, purpose)
    consent_grant(profile=withdrawing, purpose_version=purpose.current_version, **decision_context)
    withdrawal = legacy_no(withdrawing, purpose)
    return refusal, withdrawal


@pytest.mark.parametrize(
    ("decision", "expected"), [("refuse", "refusal"), ("withdraw", "withdrawal")]
)
def test_event_list_filters_on_the_decision_it_shows(
    staff_client, purpose, decision_context, django_assert_max_num_queries, decision, expected
):
    refusal, withdrawal = _legacy_refusal_and_withdrawal(purpose, decision_context)
    url = reverse("admin:consent_consentevent_changelist")

    with django_assert_max_num_queries(20):
        response = staff_client.get(url, {"decision": decision})

    assert response.status_code == 200
    shown = {event.pk for event in response.context["cl"].result_list}
    assert shown == {{"refusal": refusal, "withdrawal": withdrawal}[expected].pk}


def test_event_list_filter_names_the_decisions_in_german(staff_client, purpose):
    response = staff_client.get(reverse("admin:consent_consentevent_changelist"))

    (decision_filter,) = [
        spec
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "parameter_name", None) == "decision"
    ]
    assert str(decision_filter.title) == "Entscheidung"
    assert [str(label) for _value, label in decision_filter.lookup_choices] == [
        "Bestätigung angefordert",
        "Erteilt",
        "Abgelehnt",
        "Widerrufen",
    ]


def test_event_page_shows_the_decision_beside_the_stored_action(
    staff_client, purpose, decision_context
):
    refusal, _withdrawal = _legacy_refusal_and_withdrawal(purpose, decision_context)
    url = reverse("admin:consent_consentevent_change", args=[refusal.pk])
    staff_client.post(url, {"_access_reason": "1", "reason": "Checking a complaint"})

    response = staff_client.get(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Abgelehnt (gespeichert als „Widerrufen“, bevor Ablehnungen eine eigene Aktion hatten)"
        in page
    )
    assert str(refusal.receipt_id) in page


def test_event_list_query_count_does_not_grow_with_the_events(
    staff_client, purpose, decision_context, django_assert_max_num_queries
):
    url = reverse("admin:consent_consentevent_changelist")
    _legacy_refusal_and_withdrawal(purpose, decision_context)
    with django_assert_max_num_queries(20) as few:
        staff_client.get(url, {"decision": "withdraw"})

    for _ in range(5):
        _legacy_refusal_and_withdrawal(purpose, decision_context)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = staff_client.get(url, {"decision": "withdraw"})

    assert len(response.context["cl"].result_list) == 6
