import pytest
from django.urls import reverse

from apps.audit.models import AccessLog
from apps.profiles.models import Identifier
from apps.profiles.services import profile_sign_in_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return profile_sign_in_as(
        kind=Identifier.Kind.EMAIL, value="kim@example.com", current=None, locale="de"
    )


def test_staff_find_a_member_by_e_mail_and_the_read_is_logged(admin_client, admin_user, member):
    response = admin_client.get(
        reverse("admin:profiles_profile_changelist"), {"q": "kim@example.com"}
    )

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [member]
    assert AccessLog.objects.filter(profile=member, staff_user=admin_user).exists()


def test_the_profile_page_shows_its_identifiers_read_only_and_logs_the_read(
    admin_client, admin_user, member, django_assert_max_num_queries
):
    url = reverse("admin:profiles_profile_change", args=[member.pk])
    admin_client.post(url, {"_access_reason": "1", "reason": "Customer asked by phone"})
    with django_assert_max_num_queries(20):
        response = admin_client.get(url)

    assert response.status_code == 200
    assert b"kim@example.com" in response.content
    assert AccessLog.objects.filter(
        profile=member, staff_user=admin_user, data_category="profile", reason__contains="phone"
    ).exists()
