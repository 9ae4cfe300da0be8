"""A webhook carrying a customer's data is logged as the partner's read of it: once per
delivery, with its first attempt, and the customer sees it."""

import pytest
from django.urls import reverse

from apps.audit.models import AccessLog
from apps.consent.evidence import Evidence
from apps.consent.models import Channel
from apps.consent.services import consent_withdraw
from apps.core.models import OutboxEvent
from apps.loyalty.services import ledger_credit
from apps.partners.services import partner_client_create, partner_link_customer
from apps.partners.services.webhook_delivery import webhook_delivery_replay, webhooks_notify
from apps.partners.services.webhook_endpoints import webhook_endpoint_create
from apps.partners.tasks import deliver_webhook_task
from tests.consent.factories import grant_consent, published_purpose
from tests.partners.test_webhook_delivery import Receiver, _declare
from tests.profiles.helpers import browse_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    running = Receiver()
    yield running
    running.close()


@pytest.fixture
def purposes(db):
    return {key: published_purpose(key=key) for key in ("partner_sharing", "personalization")}


@pytest.fixture
def partner(purposes):
    partner, _secret = partner_client_create(
        name="Shop",
        key="shop",
        scopes=["webhooks:manage"],
        purpose_keys=["partner_sharing", "personalization"],
    )
    return partner


@pytest.fixture
def customer(partner, purposes):
    profile, _created = partner_link_customer(partner=partner, external_id="4711")
    for purpose in purposes.values():
        grant_consent(profile, purpose)
    return profile


@pytest.fixture
def endpoint(partner, receiver):
    endpoint = webhook_endpoint_create(
        partner=partner,
        url=receiver.url,
        event_types=["preference.declared", "points.changed", "consent.withdrawn"],
    )
    receiver.secrets = [endpoint.secret]
    return endpoint


def _partner_reads(profile) -> list[tuple[str, str, str]]:
    return list(
        AccessLog.objects.filter(profile=profile, actor_kind=AccessLog.ActorKind.PARTNER)
        .order_by("id")
        .values_list("partner_name", "data_category", "purpose_key")
    )


def test_a_delivered_preference_is_logged_as_the_partners_read(
    receiver, endpoint, customer, purposes
):
    (delivery,) = webhooks_notify(_declare(customer, purposes["personalization"]))
    assert _partner_reads(customer) == []

    deliver_webhook_task(delivery.pk, 0)

    assert receiver.received
    assert _partner_reads(customer) == [("Shop", "preferences", "personalization")]


def test_a_pushed_balance_is_logged_under_loyalty(receiver, endpoint, customer):
    ledger_credit(profile=customer, points=10, idempotency_key="q", reason="Quiz")
    (delivery,) = webhooks_notify(OutboxEvent.objects.filter(name="points.changed").latest("id"))

    deliver_webhook_task(delivery.pk, 0)

    assert _partner_reads(customer) == [("Shop", "loyalty", "")]


def test_retries_add_no_entry_and_a_replay_adds_one(receiver, endpoint, customer, purposes):
    receiver.answer(503, 204, 204)
    (delivery,) = webhooks_notify(_declare(customer, purposes["personalization"]))

    deliver_webhook_task(delivery.pk, 0)
    deliver_webhook_task(delivery.pk, 1)
    assert len(_partner_reads(customer)) == 1

    replay = webhook_delivery_replay(delivery=delivery)
    deliver_webhook_task(replay.pk, 0)

    assert len(receiver.received) == 3
    assert len(_partner_reads(customer)) == 2


def test_a_duplicate_task_logs_once(receiver, endpoint, customer, purposes):
    (delivery,) = webhooks_notify(_declare(customer, purposes["personalization"]))

    deliver_webhook_task(delivery.pk, 0)
    deliver_webhook_task(delivery.pk, 0)

    assert len(_partner_reads(customer)) == 1


def test_a_withdrawal_carries_no_data_and_logs_nothing(receiver, endpoint, customer, purposes):
    consent_withdraw(
        profile=customer,
        purpose=purposes["personalization"],
        channel=Channel.WEB,
        collection_point="test",
        evidence=Evidence(),
        language="de",
    )
    (delivery,) = webhooks_notify(OutboxEvent.objects.filter(name="consent.withdrawn").latest("id"))

    deliver_webhook_task(delivery.pk, 0)

    assert receiver.received
    assert _partner_reads(customer) == []


def test_the_customer_sees_the_push_among_who_looked_at_their_data(
    client, receiver, endpoint, customer, purposes
):
    (delivery,) = webhooks_notify(_declare(customer, purposes["personalization"]))
    deliver_webhook_task(delivery.pk, 0)

    page = browse_as(client, customer).get(reverse("preferences:center"))

    looked = page.content.decode().split('id="looked"')[1]
    assert "Shop" in looked
    assert "preferences" in looked
