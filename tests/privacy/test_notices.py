"""Partners told of withdrawals and erasures, and their acknowledgements."""

import pytest
from django.utils import timezone

from apps.consent.evidence import Evidence
from apps.consent.models import Channel
from apps.consent.services import consent_withdraw
from apps.core.services import outbox_relay_pending
from apps.partners.models import WebhookDelivery, WebhookEndpoint
from apps.partners.services import partner_client_create, partner_link_customer
from apps.privacy.models import PartnerNotice
from apps.privacy.services.notices import (
    partner_notices_acknowledge_delivered,
    partner_notices_confirm,
)
from apps.privacy.tasks import check_partner_acknowledgements_task
from tests.consent.factories import grant_consent, published_purpose

pytestmark = pytest.mark.django_db


@pytest.fixture
def purposes(db):
    return {
        key: published_purpose(key=key)
        for key in ("partner_sharing", "personalization", "email_marketing")
    }


@pytest.fixture
def partner(purposes):
    partner, _secret = partner_client_create(
        name="Shop", key="shop", scopes=[], purpose_keys=["partner_sharing", "personalization"]
    )
    return partner


@pytest.fixture
def customer(partner, purposes):
    profile, _created = partner_link_customer(partner=partner, external_id="4711")
    for key in ("partner_sharing", "personalization", "email_marketing"):
        grant_consent(profile, purposes[key])
    outbox_relay_pending(batch_size=100)
    return profile


def _endpoint(partner) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        partner=partner,
        url="https://shop.example/hooks",
        event_types=["consent.withdrawn", "profile.erased"],
        secret="whsec_" + "x" * 32,
    )


def _withdraw(profile, purpose) -> None:
    consent_withdraw(
        profile=profile,
        purpose=purpose,
        channel=Channel.WEB,
        collection_point="preference-center",
        evidence=Evidence(),
        language="de",
    )
    outbox_relay_pending(batch_size=100)


def test_a_withdrawal_is_noted_per_partner_that_received_data_under_it(customer, partner, purposes):
    _withdraw(customer, purposes["personalization"])

    notice = PartnerNotice.objects.get()
    assert (notice.partner, notice.kind, notice.purpose_key) == (
        partner,
        "consent.withdrawn",
        "personalization",
    )
    assert (notice.profile, str(notice.subject_public_id)) == (customer, str(customer.public_id))
    assert notice.via == PartnerNotice.Via.FEED


def test_a_withdrawal_of_a_purpose_the_partner_never_had_is_not_noted(customer, purposes):
    _withdraw(customer, purposes["email_marketing"])

    assert not PartnerNotice.objects.exists()


def test_relaying_a_withdrawal_again_notes_it_once(customer, purposes):
    from apps.core.models import OutboxEvent
    from apps.privacy.services.notices import partner_notices_record

    _withdraw(customer, purposes["personalization"])
    partner_notices_record(event=OutboxEvent.objects.get(name="consent.withdrawn"))

    assert PartnerNotice.objects.count() == 1


def test_a_2xx_webhook_answer_acknowledges_the_notice(customer, partner, purposes):
    _endpoint(partner)
    _withdraw(customer, purposes["personalization"])
    notice = PartnerNotice.objects.get()
    assert notice.via == PartnerNotice.Via.WEBHOOK
    assert partner_notices_acknowledge_delivered() == 0

    answered_at = timezone.now()
    WebhookDelivery.objects.filter(event_type="consent.withdrawn").update(
        status=WebhookDelivery.Status.SUCCEEDED, last_attempt_at=answered_at, last_status_code=204
    )
    assert check_partner_acknowledgements_task() == 1

    notice.refresh_from_db()
    assert (notice.acknowledged_at, notice.acknowledged_via) == (answered_at, "webhook")
    assert check_partner_acknowledgements_task() == 0


def test_a_failed_delivery_acknowledges_nothing(customer, partner, purposes):
    _endpoint(partner)
    _withdraw(customer, purposes["personalization"])
    WebhookDelivery.objects.update(status=WebhookDelivery.Status.FAILED, last_status_code=500)

    assert partner_notices_acknowledge_delivered() == 0
    assert PartnerNotice.objects.get().acknowledged_at is None


def test_staff_record_a_partners_confirmation(customer, purposes, admin_user):
    _withdraw(customer, purposes["personalization"])

    assert partner_notices_confirm(notices=PartnerNotice.objects.all(), staff_user=admin_user) == 1

    notice = PartnerNotice.objects.get()
    assert (notice.acknowledged_via, notice.acknowledged_by) == ("staff", admin_user)
    assert partner_notices_confirm(notices=PartnerNotice.objects.all(), staff_user=admin_user) == 0


def test_an_erasure_reaches_the_partners_webhook_and_is_acknowledged_by_its_answer(
    customer, partner, export_root
):
    from apps.privacy.models import DataRequest
    from apps.privacy.services.data_requests import data_request_create
    from apps.privacy.services.erasure import data_request_erase_run

    _endpoint(partner)
    old_public_id = str(customer.public_id)
    data_request = data_request_create(profile=customer, kind=DataRequest.Kind.ERASURE)
    data_request_erase_run(data_request_id=data_request.pk)
    outbox_relay_pending(batch_size=100)

    delivery = WebhookDelivery.objects.get(event_type="profile.erased")
    assert delivery.payload["data"] == {"profile": old_public_id}
    notice = PartnerNotice.objects.get(kind="profile.erased")
    assert (notice.data_request, notice.via) == (data_request, PartnerNotice.Via.WEBHOOK)

    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.SUCCEEDED, last_attempt_at=timezone.now()
    )
    assert partner_notices_acknowledge_delivered() == 1
