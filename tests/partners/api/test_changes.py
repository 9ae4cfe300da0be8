import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.consent.evidence import Evidence
from apps.consent.models import Channel
from apps.consent.services import consent_withdraw
from apps.core.events import publish
from apps.core.services import outbox_relay_pending
from apps.partners.models import PartnerChange, Scope
from apps.partners.services import partner_link_customer
from apps.partners.services.changes import record_partner_changes
from apps.preferences.models import Source
from apps.preferences.services import preference_declare
from apps.privacy.models import AccessLog
from apps.profiles.identifiers import sha256_hex
from apps.profiles.models import Identifier
from tests.consent.factories import grant_consent
from tests.preferences.factories import AttributeFactory

pytestmark = pytest.mark.django_db

SHARING = ("partner_sharing", "personalization")
DECLARED = PartnerChange.Kind.PREFERENCE_DECLARED


@pytest.fixture
def diet(purposes):
    return AttributeFactory(
        key="diet", purpose=purposes["personalization"], choices=["vegan", "omnivore"]
    )


def _customer(partner, purposes, external_id="4711", grants=SHARING):
    profile, _created = partner_link_customer(partner=partner, external_id=external_id)
    for key in grants:
        grant_consent(profile, purposes[key])
    return profile


def _declare(profile, attribute, value="vegan"):
    return preference_declare(profile=profile, attribute=attribute, value=value, source=Source.QUIZ)


def _withdraw(profile, purpose):
    consent_withdraw(
        profile=profile,
        purpose=purpose,
        channel=Channel.WEB,
        collection_point="test",
        evidence=Evidence(),
        language="de",
    )


def _relay() -> None:
    """What the worker does once the publishing transactions have committed."""
    outbox_relay_pending(batch_size=100)


def _kinds(partner) -> list[str]:
    changes = PartnerChange.objects.filter(partner=partner).order_by("id")
    return list(changes.values_list("kind", flat=True))


def test_a_preference_declared_by_a_sharing_customer_reaches_the_feed(shop, purposes, diet):
    profile = _customer(shop.partner, purposes)
    _declare(profile, diet)
    _relay()

    response = shop.get("/api/v1/changes/", {"kind": DECLARED})

    assert response.status_code == 200
    [change] = response.json()["results"]
    assert set(change) == {"id", "kind", "profile", "occurred_at"}
    assert (change["kind"], change["profile"]) == (DECLARED, str(profile.public_id))
    assert not AccessLog.objects.exists()


def _also_link(profile, partner, external_id="k-1"):
    Identifier.objects.create(
        profile=profile,
        kind=Identifier.Kind.EXTERNAL,
        namespace=partner.key,
        value=external_id,
        value_sha256=sha256_hex(external_id),
    )


def test_the_handler_writes_one_entry_per_partner_told(shop, make_partner, purposes):
    crm = make_partner("crm", purpose_keys=("partner_sharing",))
    make_partner("stranger")
    profile = _customer(shop.partner, purposes)
    _also_link(profile, crm.partner)
    with transaction.atomic():
        declared = publish(
            "preference.declared",
            {"profile": str(profile.public_id), "attribute": "diet", "purpose": "personalization"},
        )
        withdrawn = publish(
            "consent.withdrawn", {"profile": str(profile.public_id), "purpose": "partner_sharing"}
        )

    record_partner_changes(declared)
    record_partner_changes(withdrawn)

    assert _kinds(shop.partner) == [DECLARED, "consent.withdrawn"]
    assert _kinds(crm.partner) == ["consent.withdrawn"]
    assert PartnerChange.objects.count() == 3
    assert PartnerChange.objects.filter(kind=DECLARED).get().occurred_at == declared.created_at


def test_a_customer_who_does_not_share_is_not_in_the_feed(shop, purposes, diet):
    profile = _customer(shop.partner, purposes, grants=("personalization",))
    _declare(profile, diet)
    _relay()

    assert _kinds(shop.partner) == []


def test_a_withdrawal_reaches_the_partner_even_without_sharing(shop, purposes, diet):
    profile = _customer(shop.partner, purposes, grants=("personalization",))
    _withdraw(profile, purposes["personalization"])
    _relay()

    [change] = shop.get("/api/v1/changes/").json()["results"]
    assert (change["kind"], change["profile"]) == ("consent.withdrawn", str(profile.public_id))


def test_a_partner_hears_only_of_its_own_customers_under_its_own_purposes(
    shop, make_partner, purposes, diet
):
    crm = make_partner("crm", purpose_keys=("partner_sharing",))
    mine = _customer(shop.partner, purposes, "1")
    theirs = _customer(crm.partner, purposes, "2")
    _declare(mine, diet)
    _declare(theirs, diet)
    _relay()

    shop_changes = shop.get("/api/v1/changes/").json()["results"]
    crm_changes = crm.get("/api/v1/changes/").json()["results"]

    assert {change["profile"] for change in shop_changes} == {str(mine.public_id)}
    assert {change["profile"] for change in crm_changes} == {str(theirs.public_id)}
    # The partner not allowed personalization hears of the sharing grant, not of the answer.
    assert DECLARED in {change["kind"] for change in shop_changes}
    assert {change["kind"] for change in crm_changes} == {"consent.granted"}


def test_the_feed_is_oldest_first_and_the_last_page_points_past_itself(shop, purposes, diet):
    profile = _customer(shop.partner, purposes)
    _relay()
    first = shop.get("/api/v1/changes/", {"limit": 1}).json()
    second = shop.get(first["next"]).json()
    assert [c["kind"] for c in first["results"] + second["results"]] == [
        "consent.granted",
        "consent.granted",
    ]
    assert first["results"][0]["id"] < second["results"][0]["id"]
    assert shop.get(second["next"]).json()["results"] == []

    _declare(profile, diet)
    _relay()

    later = shop.get(second["next"]).json()
    assert [c["kind"] for c in later["results"]] == [DECLARED]


def test_the_feed_refuses_an_unknown_kind(shop):
    response = shop.get("/api/v1/changes/", {"kind": "nope"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "kind"


def test_the_feed_needs_the_profiles_scope(make_partner):
    crm = make_partner("crm", scopes=[Scope.SEGMENTS_READ])

    response = crm.get("/api/v1/changes/")

    assert response.status_code == 403
    assert response.json()["type"] == "/api/problems/insufficient-scope"


def test_the_feed_query_count_does_not_grow_with_the_page(
    shop, purposes, django_assert_max_num_queries
):
    _customer(shop.partner, purposes, "0", grants=("partner_sharing",))
    _relay()
    with CaptureQueriesContext(connection) as queries:
        assert len(shop.get("/api/v1/changes/").json()["results"]) == 1
    for number in range(1, 11):
        _customer(shop.partner, purposes, str(number), grants=("partner_sharing",))
    _relay()

    with django_assert_max_num_queries(len(queries)):
        assert len(shop.get("/api/v1/changes/").json()["results"]) == 11


def test_a_withdrawal_of_a_purpose_the_partner_is_not_allowed_is_not_told(make_partner, purposes):
    from apps.consent.evidence import Evidence
    from apps.consent.models import Channel
    from apps.consent.services import consent_withdraw
    from apps.core.models import OutboxEvent
    from apps.partners.outbound import partner_notices
    from apps.partners.services import partner_link_customer
    from tests.consent.factories import grant_consent

    shop = make_partner()  # allowed partner_sharing and personalization
    profile, _new = partner_link_customer(partner=shop.partner, external_id="w1")
    grant_consent(profile, purposes["email_marketing"])
    grant_consent(profile, purposes["personalization"])
    for key in ("email_marketing", "personalization"):
        consent_withdraw(
            profile=profile,
            purpose=purposes[key],
            channel=Channel.WEB,
            collection_point="test",
            evidence=Evidence(),
            language="de",
        )

    told = {
        event.payload["purpose"]: partner_notices(event=event)
        for event in OutboxEvent.objects.filter(name="consent.withdrawn")
    }

    assert told["email_marketing"] == []
    assert [n.partner for n in told["personalization"]] == [shop.partner]
