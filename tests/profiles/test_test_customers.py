"""A staff user's test customer: their own, apart from any real customer, and resettable."""

import pytest
from django.contrib.auth import get_user_model

from apps.profiles.models import Profile
from apps.profiles.selectors import SESSION_GENERATION_KEY, SESSION_KEY, profile_from_session
from apps.profiles.services import profile_test_for, profile_test_reset
from apps.profiles.sessions import session_remember_profile
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return get_user_model().objects.create_user("redaktion", is_staff=True)


def test_profile_test_for_makes_one_test_customer_per_staff_user(staff):
    first = profile_test_for(user=staff, locale="en")
    again = profile_test_for(user=staff)
    other = profile_test_for(user=get_user_model().objects.create_user("team", is_staff=True))

    assert first == again
    assert first.is_test
    assert first.locale == "en"
    assert other != first


def test_profile_test_for_publishes_nothing(staff, django_capture_on_commit_callbacks):
    from apps.core.models import OutboxEvent

    profile_test_for(user=staff)

    assert not OutboxEvent.objects.exists()


def test_profile_counted_leaves_test_customers_out(staff):
    customer = ProfileFactory()
    profile_test_for(user=staff)

    assert list(Profile.objects.counted()) == [customer]


def test_profile_test_reset_lets_go_of_the_test_customer(staff):
    old = profile_test_for(user=staff)

    assert profile_test_reset(user=staff) == old
    new = profile_test_for(user=staff)

    old.refresh_from_db()
    assert new != old
    assert old.is_test
    assert old.test_of is None
    assert Profile.objects.counted().count() == 0


def test_profile_test_reset_without_a_test_customer_does_nothing(staff):
    assert profile_test_reset(user=staff) is None


def test_a_test_customer_is_never_the_session_profile(staff, client):
    session = client.session
    test_customer = profile_test_for(user=staff)

    session_remember_profile(session=session, profile=test_customer)
    assert SESSION_KEY not in session

    session[SESSION_KEY] = test_customer.pk
    session[SESSION_GENERATION_KEY] = test_customer.session_generation
    assert profile_from_session(session=session) is None
