"""The requests desk in the admin: requests with deadlines, staff-entered requests, and
partner acknowledgements. Every look at a customer's request is logged."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.partners.services import partner_client_create
from apps.privacy.models import AccessLog, DataRequest, PartnerNotice
from apps.privacy.services.data_requests import data_request_create
from apps.privacy.services.exports import data_request_export_build
from apps.profiles.models import Identifier
from apps.profiles.services import profile_sign_in_as
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/privacy/datarequest/"
ADD = "/admin/privacy/datarequest/add/"
NOTICES = "/admin/privacy/partnernotice/"


@pytest.fixture
def member(db):
    return profile_sign_in_as(
        kind=Identifier.Kind.EMAIL, value="kim@example.com", current=ProfileFactory(), locale="de"
    )


def test_the_list_marks_overdue_requests_and_logs_who_was_looked_at(
    admin_client, admin_user, profile
):
    data_request = data_request_create(profile=profile, kind=DataRequest.Kind.EXPORT)
    DataRequest.objects.filter(pk=data_request.pk).update(due_at=timezone.now() - timedelta(days=1))

    response = admin_client.get(LIST)

    assert response.status_code == 200
    assert 'class="privacy-overdue"' in response.content.decode()
    assert AccessLog.objects.filter(profile=profile, staff_user=admin_user).exists()
    overdue = admin_client.get(LIST, {"deadline": "overdue"})
    assert list(overdue.context["cl"].result_list) == [DataRequest.objects.get()]
    assert list(admin_client.get(LIST, {"deadline": "open"}).context["cl"].result_list)


def test_staff_enter_a_request_a_customer_wrote_in_with(
    admin_client, admin_user, member, export_root
):
    response = admin_client.post(
        ADD,
        {
            "kind": "export",
            "channel": "mail",
            "email": " Kim@Example.com ",
            "customer_public_id": "",
        },
    )

    assert response.status_code == 302
    data_request = DataRequest.objects.get()
    assert (data_request.profile, data_request.channel, data_request.requested_by) == (
        member,
        "mail",
        admin_user,
    )
    assert data_request.due_at.date() == (data_request.requested_at + timedelta(days=30)).date()
    assert AccessLog.objects.filter(profile=member, data_category="data_requests").exists()


def test_an_unknown_address_is_refused_without_a_request(admin_client, member):
    response = admin_client.post(
        ADD, {"kind": "erasure", "channel": "mail", "email": "nobody@example.com"}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not DataRequest.objects.exists()


def test_staff_download_an_export_and_it_is_logged_as_one(
    admin_client, admin_user, member, export_root
):
    data_request = data_request_create(profile=member, kind=DataRequest.Kind.EXPORT)
    data_request_export_build(data_request_id=data_request.pk)

    response = admin_client.get(
        reverse("admin:privacy_datarequest_download", args=[data_request.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert AccessLog.objects.filter(
        profile=member, staff_user=admin_user, action=AccessLog.Action.EXPORT
    ).exists()


def test_a_failed_request_is_retried_from_the_list(
    admin_client, profile, export_root, django_capture_on_commit_callbacks
):
    data_request = data_request_create(profile=profile, kind=DataRequest.Kind.EXPORT)
    DataRequest.objects.filter(pk=data_request.pk).update(
        status=DataRequest.Status.FAILED, error="boom"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            LIST, {"action": "retry", "_selected_action": [data_request.pk]}, follow=True
        )

    assert response.status_code == 200
    data_request.refresh_from_db()
    assert data_request.status == DataRequest.Status.DONE


def test_a_request_that_did_not_fail_is_not_retried(admin_client, profile):
    data_request = data_request_create(profile=profile, kind=DataRequest.Kind.EXPORT)

    admin_client.post(LIST, {"action": "retry", "_selected_action": [data_request.pk]})

    assert DataRequest.objects.get().status == DataRequest.Status.PENDING


def test_waiting_requests_are_run_from_the_list(admin_client, profile, export_root):
    data_request = data_request_create(profile=profile, kind=DataRequest.Kind.EXPORT)

    admin_client.post(LIST, {"action": "run_now", "_selected_action": [data_request.pk]})

    assert DataRequest.objects.get().status == DataRequest.Status.DONE


def test_requests_are_never_deleted(admin_client, profile):
    data_request = data_request_create(profile=profile, kind=DataRequest.Kind.ERASURE)

    response = admin_client.get(f"{LIST}{data_request.pk}/delete/")

    assert response.status_code == 403


def test_a_request_page_asks_why_and_shows_the_partners_told(admin_client, admin_user, profile):
    data_request = data_request_create(profile=profile, kind=DataRequest.Kind.ERASURE)
    notice = _notice(profile, data_request)
    url = f"{LIST}{data_request.pk}/change/"

    assert "reason" in admin_client.get(url).context["form"].fields
    admin_client.post(url, {"_access_reason": "1", "reason": "Ticket 4711"})
    response = admin_client.get(url)

    assert response.status_code == 200
    assert notice.partner.name in response.content.decode()
    assert AccessLog.objects.filter(profile=profile, reason="Ticket 4711").exists()


def _notice(profile, data_request=None) -> PartnerNotice:
    partner, _secret = partner_client_create(name="Shop", key="shop", scopes=[], purpose_keys=[])
    return PartnerNotice.objects.create(
        partner=partner,
        kind=PartnerNotice.Kind.PROFILE_ERASED
        if data_request
        else PartnerNotice.Kind.CONSENT_WITHDRAWN,
        profile=profile,
        subject_public_id=profile.public_id,
        data_request=data_request,
        event_id=1,
        via=PartnerNotice.Via.FEED,
        told_at=timezone.now() - timedelta(days=3),
    )


def test_the_privacy_officer_sees_who_has_not_acknowledged_and_records_a_confirmation(
    admin_client, admin_user, profile
):
    notice = _notice(profile)

    response = admin_client.get(NOTICES, {"acknowledged_at__isnull": "True"})
    assert list(response.context["cl"].result_list) == [notice]
    assert "3" in response.content.decode()  # waiting for 3 days
    assert AccessLog.objects.filter(profile=profile, data_category="partner_notices").exists()

    admin_client.post(NOTICES, {"action": "confirm_acknowledged", "_selected_action": [notice.pk]})

    notice.refresh_from_db()
    assert (notice.acknowledged_via, notice.acknowledged_by) == ("staff", admin_user)
    assert admin_client.get(f"{NOTICES}add/").status_code == 403
