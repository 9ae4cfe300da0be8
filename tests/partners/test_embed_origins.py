"""The sites a partner allows to frame campaigns: their one form, the admin that edits them,
the audit trail that records it, and the per-process list every framed request reads."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.audit.models import ConfigChange
from apps.partners.models import EmbedOrigin
from apps.partners.origins import origin_normalise, origin_of
from apps.partners.selectors import embed_origins_allowed
from tests.admin_forms import admin_form_data
from tests.partners.factories import PartnerClientFactory

pytestmark = pytest.mark.django_db

PREFIX = "embed_origins"


@pytest.mark.parametrize(
    ("given", "origin"),
    [
        ("HTTPS://Shop.Example/", "https://shop.example"),
        ("https://shop.example:443", "https://shop.example"),
        ("https://shop.example:8443", "https://shop.example:8443"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
        ("http://localhost:8001", "http://localhost:8001"),
        ("http://127.0.0.1", "http://127.0.0.1"),
        ("http://[::1]:9000", "http://[::1]:9000"),
    ],
)
def test_origins_are_normalised_as_browsers_send_them(settings, given, origin):
    settings.DEBUG = True  # development: http on this machine too

    assert origin_normalise(given) == origin


@pytest.mark.parametrize(
    "given",
    [
        "shop.example",
        "ftp://shop.example",
        "https://shop.example/shop",
        "https://shop.example?x=1",
        "https://user@shop.example",
        "https://shop..example",
        "https://shop.example:99999",
        "http://shop.example",
        "javascript:alert(1)",
    ],
)
def test_anything_but_an_origin_is_refused(given):
    with pytest.raises(ValidationError):
        origin_normalise(given)


def test_production_allows_https_only(settings):
    settings.DEBUG = False

    with pytest.raises(ValidationError):
        origin_normalise("http://localhost:8001")
    assert origin_normalise("https://shop.example") == "https://shop.example"


def test_the_origin_of_a_referer_drops_its_path():
    assert origin_of("https://Shop.example/product/1?x=2") == "https://shop.example"
    assert origin_of("null") is None


def test_the_allowed_sites_are_those_of_active_partners():
    EmbedOrigin.objects.create(partner=PartnerClientFactory(), origin="https://a.example")
    inactive = PartnerClientFactory()
    inactive.is_active = False
    inactive.save()
    EmbedOrigin.objects.create(partner=inactive, origin="https://b.example")

    assert embed_origins_allowed() == {"https://a.example"}


def test_the_allowed_sites_are_kept_per_process(django_assert_num_queries):
    EmbedOrigin.objects.create(partner=PartnerClientFactory(), origin="https://a.example")
    embed_origins_allowed()

    with django_assert_num_queries(0):
        assert embed_origins_allowed() == {"https://a.example"}


# The admin


@pytest.fixture
def partner():
    return PartnerClientFactory(name="Snack Shop")


@pytest.fixture
def change_url(partner) -> str:
    return reverse("admin:partners_partnerclient_change", args=[partner.pk])


def _with_new_origin(data: dict, origin: str) -> dict:
    index = int(data[f"{PREFIX}-INITIAL_FORMS"])
    return {**data, f"{PREFIX}-{index}-origin": origin, f"{PREFIX}-TOTAL_FORMS": index + 1}


def test_staff_add_a_site_in_the_partners_page_and_it_counts_at_once(
    admin_client, change_url, partner
):
    embed_origins_allowed()
    data = _with_new_origin(admin_form_data(admin_client.get(change_url)), "HTTPS://Shop.example/")

    response = admin_client.post(change_url, data)

    assert response.status_code == 302
    assert list(partner.embed_origins.values_list("origin", flat=True)) == ["https://shop.example"]
    assert embed_origins_allowed() == {"https://shop.example"}


def test_adding_a_site_is_in_the_audit_trail(admin_client, change_url, partner):
    data = _with_new_origin(admin_form_data(admin_client.get(change_url)), "https://shop.example")

    admin_client.post(change_url, data)

    change = ConfigChange.objects.get(object_id=str(partner.pk))
    assert change.action == ConfigChange.Action.CHANGED
    assert change.changes["embed_origins"] == {"from": [], "to": ["https://shop.example"]}


def test_removing_a_site_is_in_the_audit_trail_and_stops_it(admin_client, change_url, partner):
    EmbedOrigin.objects.create(partner=partner, origin="https://shop.example")
    assert embed_origins_allowed() == {"https://shop.example"}
    data = admin_form_data(admin_client.get(change_url))
    data[f"{PREFIX}-0-DELETE"] = "on"

    admin_client.post(change_url, data)

    change = ConfigChange.objects.get(object_id=str(partner.pk))
    assert change.changes["embed_origins"] == {"from": ["https://shop.example"], "to": []}
    assert embed_origins_allowed() == frozenset()


def test_deactivating_the_partner_stops_its_sites(admin_client, change_url, partner):
    EmbedOrigin.objects.create(partner=partner, origin="https://shop.example")
    assert embed_origins_allowed() == {"https://shop.example"}
    data = admin_form_data(admin_client.get(change_url))
    del data["is_active"]

    admin_client.post(change_url, data)

    assert embed_origins_allowed() == frozenset()


def test_a_site_with_a_path_is_refused_with_a_german_message(admin_client, change_url, partner):
    data = _with_new_origin(admin_form_data(admin_client.get(change_url)), "https://shop.example/x")

    response = admin_client.post(change_url, data)

    assert response.status_code == 200
    assert "ohne Pfad und Parameter" in response.content.decode()
    assert not EmbedOrigin.objects.exists()


def test_the_same_site_twice_is_refused(admin_client, change_url, partner):
    EmbedOrigin.objects.create(partner=partner, origin="https://shop.example")
    data = _with_new_origin(admin_form_data(admin_client.get(change_url)), "HTTPS://SHOP.example")

    response = admin_client.post(change_url, data)

    assert response.status_code == 200
    assert EmbedOrigin.objects.count() == 1
