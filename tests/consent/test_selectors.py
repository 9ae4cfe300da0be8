import pytest
from django.utils import translation

from apps.consent.collection_points import collection_point_labels
from apps.consent.models import ConsentEvent, ConsentState
from apps.consent.selectors import (
    consent_choices,
    consent_event_get_for_receipt,
    consent_event_list,
    consent_granted_exists,
    consent_granted_profile_ids,
    consent_reprompt_choices,
)
from apps.consent.services import consent_grant, consent_withdraw
from apps.profiles.models import Profile
from apps.profiles.services import profile_merge
from tests.campaigns.factories import CampaignFactory
from tests.consent.factories import publish_new_version
from tests.consent.legacy import legacy_no
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db


def _grant_all(profiles, purpose, decision_context):
    for profile in profiles:
        consent_grant(profile=profile, purpose_version=purpose.current_version, **decision_context)


def test_consent_granted_profile_ids_answers_for_a_thousand_profiles_in_one_query(
    purpose, decision_context, django_assert_num_queries
):
    profiles = ProfileFactory.create_batch(1000)
    granted = profiles[::3]
    _grant_all(granted, purpose, decision_context)
    consent_withdraw(profile=profiles[1], purpose=purpose, **decision_context)

    with django_assert_num_queries(1):
        allowed = consent_granted_profile_ids(
            purpose_key=purpose.key, profile_ids=[p.pk for p in profiles]
        )

    assert allowed == {p.pk for p in granted}


def test_consent_granted_profile_ids_for_new_collection_in_one_query(
    purpose, decision_context, django_assert_num_queries
):
    old, renewed = ProfileFactory.create_batch(2)
    _grant_all([old], purpose, decision_context)
    new_version = publish_new_version(purpose, is_material=True)
    consent_grant(profile=renewed, purpose_version=new_version, **decision_context)

    with django_assert_num_queries(1):
        allowed = consent_granted_profile_ids(
            purpose_key=purpose.key, profile_ids=[old.pk, renewed.pk], for_new_collection=True
        )

    assert allowed == {renewed.pk}


def test_consent_granted_exists_filters_profiles_in_sql(purpose, decision_context):
    yes, _no = ProfileFactory.create_batch(2)
    _grant_all([yes], purpose, decision_context)

    matching = Profile.objects.filter(consent_granted_exists(purpose_key=purpose.key))

    assert list(matching) == [yes]


def test_consent_choices_show_every_published_purpose_with_the_current_answer(
    profile, purpose, sharing_purpose, decision_context, django_assert_num_queries
):
    consent_withdraw(profile=profile, purpose=sharing_purpose, **decision_context)

    with django_assert_num_queries(2):
        choices = {c.purpose.key: c for c in consent_choices(profile=profile)}

    assert choices["personalization"].status == ""
    assert choices["partner_sharing"].status == ConsentState.Status.REFUSED


def test_consent_choices_for_a_visitor_without_profile_run_one_query(
    purpose, django_assert_num_queries
):
    with django_assert_num_queries(1):
        (choice,) = consent_choices(profile=None)

    assert choice.state is None


def test_consent_reprompt_choices_list_material_changes_only(profile, purpose, decision_context):
    _grant_all([profile], purpose, decision_context)
    assert consent_reprompt_choices(profile=profile) == []

    publish_new_version(purpose, is_material=False)
    assert consent_reprompt_choices(profile=profile) == []

    publish_new_version(purpose, is_material=True)
    (choice,) = consent_reprompt_choices(profile=profile)
    assert choice.purpose == purpose


def test_consent_event_get_for_receipt_only_finds_the_profiles_own(
    profile, purpose, decision_context
):
    _grant_all([profile], purpose, decision_context)
    event = ConsentEvent.objects.get()

    assert consent_event_get_for_receipt(profile=profile, receipt_id=event.receipt_id) == event
    assert (
        consent_event_get_for_receipt(profile=ProfileFactory(), receipt_id=event.receipt_id) is None
    )
    assert consent_event_get_for_receipt(profile=None, receipt_id=event.receipt_id) is None


def test_purpose_version_speaks_the_active_language(purpose):
    version = purpose.current_version

    with translation.override("en"):
        assert version.title == "Purpose personalization"
    with translation.override("de"):
        assert version.title == "Zweck personalization"


def _decisions(profile) -> list[str]:
    return [event.decided for event in consent_event_list(profile=profile).order_by("pk")]


def test_consent_event_list_reads_a_stored_first_no_as_a_refusal(
    profile, purpose, decision_context
):
    legacy_no(profile, purpose)
    consent_grant(profile=profile, purpose_version=purpose.current_version, **decision_context)
    legacy_no(profile, purpose)

    assert _decisions(profile) == ["refuse", "grant", "withdraw"]


def test_consent_event_list_counts_a_yes_given_before_signing_in(
    profile, purpose, decision_context
):
    anonymous = ProfileFactory()
    consent_grant(profile=anonymous, purpose_version=purpose.current_version, **decision_context)
    profile_merge(source=anonymous, target=profile)

    legacy_no(profile, purpose)

    assert _decisions(profile) == ["grant", "withdraw"]


def test_consent_event_list_keeps_new_decisions_as_recorded(profile, purpose, decision_context):
    consent_withdraw(profile=profile, purpose=purpose, **decision_context)
    consent_grant(profile=profile, purpose_version=purpose.current_version, **decision_context)
    consent_withdraw(profile=profile, purpose=purpose, **decision_context)

    assert _decisions(profile) == ["refuse", "grant", "withdraw"]


def test_collection_point_labels_name_campaigns_and_pages_in_one_query(
    django_assert_num_queries,
):
    CampaignFactory(slug="snack-typ", title_de="Welcher Snack-Typ bist du?", title_en="Snack")
    CampaignFactory(slug="kaffee", title_de="Kaffee-Quiz", title_en="Coffee quiz")
    keys = ["campaign:snack-typ", "campaign:kaffee", "preference-center", "gpc:/c/x/", "x"]

    with translation.override("de"), django_assert_num_queries(1):
        labels = collection_point_labels(keys=keys)

    assert labels == {
        "campaign:snack-typ": "Welcher Snack-Typ bist du?",
        "campaign:kaffee": "Kaffee-Quiz",
        "preference-center": "Deine Datenschutz-Einstellungen",
        "gpc:/c/x/": "Global-Privacy-Control-Signal deines Browsers",
        "x": "Anderswo auf unserer Seite",
    }


def test_collection_point_labels_follow_the_language_and_survive_a_deleted_campaign():
    CampaignFactory(slug="kaffee", title_de="Kaffee-Quiz", title_en="Coffee quiz")

    with translation.override("en"):
        labels = collection_point_labels(keys=["campaign:kaffee", "campaign:gone"])

    assert labels == {"campaign:kaffee": "Coffee quiz", "campaign:gone": "A campaign"}


def test_consent_event_list_ignores_answers_of_a_device_that_signed_in_after_the_no(
    profile, purpose, decision_context
):
    consent_grant(profile=profile, purpose_version=purpose.current_version, **decision_context)
    device = ProfileFactory()
    consent_withdraw(profile=device, purpose=purpose, **decision_context)
    consent_withdraw(profile=profile, purpose=purpose, **decision_context)

    # The device's refusal came before the member's "no" but joined the member only later:
    # the member took back their own yes.
    profile_merge(source=device, target=profile)

    assert _decisions(profile) == ["grant", "refuse", "withdraw"]
