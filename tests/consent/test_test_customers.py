"""The purpose list's consent counts leave staff's test customers out."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from apps.consent.services import consent_grant
from apps.profiles.services import profile_test_for
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db


def test_purpose_list_counts_no_test_customer(admin_client, purpose, decision_context):
    tester = profile_test_for(user=get_user_model().objects.create_user("team", is_staff=True))
    for profile in (ProfileFactory(), tester):
        consent_grant(profile=profile, purpose_version=purpose.current_version, **decision_context)

    response = admin_client.get(reverse("admin:consent_purpose_changelist"))

    row = response.context["cl"].result_list[0]
    assert (row.granted_count, row.grant_count) == (1, 1)
