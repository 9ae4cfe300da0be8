import json

import pytest
from django.urls import reverse

from apps.audit.models import AccessLog
from apps.personalization.models import Segment
from apps.preferences.models import Declaration, Source
from tests.consent.factories import grant_consent
from tests.preferences.factories import AttributeFactory
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db

PREVIEW = "admin:personalization_segment_preview"


@pytest.fixture
def vegans(purpose):
    diet = AttributeFactory(key="diet", purpose=purpose, choices=["vegan", "omni"])
    people = []
    for _n in range(6):
        profile = ProfileFactory()
        grant = grant_consent(profile, purpose)
        Declaration.objects.create(
            profile=profile,
            attribute=diet,
            value="vegan",
            source=Source.IMPORT,
            consent_event=grant,
        )
        people.append(profile)
    return people


def test_the_live_preview_counts_and_logs_the_sample_it_shows(admin_client, admin_user, vegans):
    rule = {"attribute": "diet", "op": "eq", "value": "vegan"}

    response = admin_client.get(reverse(PREVIEW), {"rule": json.dumps(rule)})

    assert response.status_code == 200
    assert b"6 Kundinnen und Kunden" in response.content
    assert str(vegans[0].public_id).encode() in response.content
    assert AccessLog.objects.filter(staff_user=admin_user).count() == 6


def test_a_group_smaller_than_five_is_not_shown(admin_client, admin_user, vegans):
    for profile in vegans[:2]:
        profile.declarations.all().delete()
    rule = {"all": [{"attribute": "diet", "op": "eq", "value": "vegan"}]}
    vegans[2].declarations.all().delete()

    response = admin_client.get(reverse(PREVIEW), {"rule": json.dumps(rule)})

    assert b"Weniger als 5" in response.content
    assert str(vegans[3].public_id).encode() not in response.content
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize(
    "raw", ["{", '{"attribute": "diet", "op": "gte", "value": 1}', "x" * 30000]
)
def test_the_live_preview_explains_a_rule_that_does_not_work_yet(admin_client, vegans, raw):
    response = admin_client.get(reverse(PREVIEW), {"rule": raw})

    assert response.status_code == 200
    assert b"errornote" in response.content


def test_the_preview_is_for_staff_only(client):
    assert client.get(reverse(PREVIEW), {"rule": "{}"}).status_code == 302


def test_a_segment_with_a_bad_rule_is_not_saved(admin_client, vegans):
    response = admin_client.post(
        reverse("admin:personalization_segment_add"),
        {"key": "bad", "name": "Bad", "rule": '{"attribute": "nope", "op": "eq", "value": 1}'},
    )

    assert response.status_code == 200
    assert not Segment.objects.exists()


def test_the_change_page_asks_for_the_live_count(admin_client, vegans):
    segment = Segment.objects.create(
        key="v", name="V", rule={"attribute": "diet", "op": "declared"}
    )

    response = admin_client.get(reverse("admin:personalization_segment_change", args=[segment.pk]))

    assert response.status_code == 200
    assert reverse(PREVIEW).encode() in response.content
    assert b"htmx.min" in response.content


def test_an_offer_saved_in_the_admin_can_be_declined_by_name(admin_client, purpose):
    from apps.personalization.models import OFFERS_NOT_INTERESTED, Offer
    from apps.preferences.models import Attribute

    inline = {
        "matches-TOTAL_FORMS": "0",
        "matches-INITIAL_FORMS": "0",
        "matches-MIN_NUM_FORMS": "0",
        "matches-MAX_NUM_FORMS": "1000",
    }
    fields = {"key": "vegan-box", "title_de": "Die Vegan-Box", "title_en": "The vegan box"}
    added = admin_client.post(
        reverse("admin:personalization_offer_add"), {**fields, "priority": "0", **inline}
    )
    offer = Offer.objects.get()
    changed = admin_client.post(
        reverse("admin:personalization_offer_change", args=[offer.pk]),
        {**fields, "key": "renamed", "title_en": "Vegan box", "priority": "0", **inline},
    )

    assert added.status_code == changed.status_code == 302
    assert Offer.objects.get().key == "vegan-box"
    values = Attribute.objects.get(key=OFFERS_NOT_INTERESTED).values
    assert list(values.values_list("key", "label_de", "label_en")) == [
        ("vegan-box", "Die Vegan-Box", "Vegan box")
    ]
