import pytest
from django.utils import timezone

from apps.consent.evidence import Evidence
from apps.consent.models import Channel
from apps.consent.services import consent_withdraw
from apps.personalization.materialize import segment_materialize
from apps.personalization.models import Segment, SegmentMember
from apps.personalization.selectors import segment_profiles
from apps.personalization.services import segment_save
from apps.preferences.models import Declaration
from tests.personalization.conftest import declare
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db

VEGAN = {"attribute": "diet", "op": "eq", "value": "vegan"}


@pytest.fixture
def segment(catalogue):
    return segment_save(segment=Segment(key="vegan", name="Vegan", rule=VEGAN, materialize=True))


def test_a_full_run_stores_the_members_and_the_time_it_took(segment, catalogue):
    vegans = [ProfileFactory() for _ in range(3)]
    for profile in vegans:
        declare(profile, catalogue["diet"], "vegan")
    declare(ProfileFactory(), catalogue["diet"], "omnivore")

    assert segment_materialize(segment=segment, full=True) == (3, 0)

    segment.refresh_from_db()
    assert segment.materialized_at is not None
    assert segment.materialize_ms is not None
    assert set(segment_profiles(segment=segment)) == set(vegans)


def test_an_incremental_run_looks_only_at_customers_who_acted_since(segment, catalogue):
    first = ProfileFactory()
    declare(first, catalogue["diet"], "vegan")
    segment_materialize(segment=segment, full=True)
    changed, newcomer = first, ProfileFactory()
    Declaration.objects.filter(profile=changed).update(
        value="omnivore", confirmed_at=timezone.now()
    )
    declare(newcomer, catalogue["diet"], "vegan")

    assert segment_materialize(segment=segment) == (1, 1)
    assert set(SegmentMember.objects.values_list("profile", flat=True)) == {newcomer.pk}


def test_a_stored_member_who_withdraws_is_left_out_at_once(segment, catalogue, purpose):
    profile = ProfileFactory()
    declare(profile, catalogue["diet"], "vegan")
    segment_materialize(segment=segment, full=True)

    consent_withdraw(
        profile=profile,
        purpose=purpose,
        channel=Channel.WEB,
        collection_point="test",
        evidence=Evidence(),
        language="de",
    )

    assert list(segment_profiles(segment=segment)) == []


def test_a_changed_rule_is_read_live_until_its_members_are_stored_again(segment, catalogue):
    profile = ProfileFactory()
    declare(profile, catalogue["diet"], "omnivore")
    segment_materialize(segment=segment, full=True)
    segment.rule = {"attribute": "diet", "op": "eq", "value": "omnivore"}

    segment_save(segment=segment)

    assert list(segment_profiles(segment=segment)) == [profile]


def test_a_deleted_answer_leaves_the_stored_list_on_the_next_update(segment, catalogue):
    from apps.preferences.services import preference_delete

    profile = ProfileFactory()
    declaration = declare(profile, catalogue["diet"], "vegan")
    segment_materialize(segment=segment, full=True)

    preference_delete(profile=profile, declaration_id=declaration.pk)

    assert segment_materialize(segment=segment) == (0, 1)


def test_a_withdrawal_leaves_every_stored_list_at_once(catalogue, purpose):
    from tests.consent.factories import grant_consent, published_purpose

    newsletter = published_purpose(key="email_marketing")
    readers = segment_save(
        segment=Segment(
            key="readers", name="R", rule={"consent": "email_marketing"}, materialize=True
        )
    )
    profile = ProfileFactory()
    grant_consent(profile, purpose)
    grant_consent(profile, newsletter)
    segment_materialize(segment=readers, full=True)
    assert list(segment_profiles(segment=readers)) == [profile]

    consent_withdraw(
        profile=profile,
        purpose=newsletter,
        channel=Channel.WEB,
        collection_point="test",
        evidence=Evidence(),
        language="de",
    )

    assert list(segment_profiles(segment=readers)) == []
