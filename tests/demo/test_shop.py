"""The demo brand's shop at /demo/shop/: another site embedding live demo campaigns, with a
policy that allows our script and frames and nothing else from outside."""

import base64
import hashlib
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse

from apps.partners.demo import demo_embed_origin_ensure, demo_partner_ensure, demo_shop_origin
from tests.consent.factories import published_purpose

pytestmark = pytest.mark.django_db

SHOP = reverse("demo:shop")
SCRIPT = Path(django_settings.BASE_DIR) / "static" / "embed" / "resonanz.js"


@pytest.fixture
def demo_mode(settings):
    settings.DEBUG = True
    settings.SITE_URL = "http://127.0.0.1:8000"


def test_the_shop_embeds_three_campaigns_with_the_script_and_its_integrity(
    client, demo_mode, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get(SHOP, HTTP_HOST="localhost:8000")

    assert response.status_code == 200
    html = response.content.decode()
    integrity = "sha384-" + base64.b64encode(hashlib.sha384(SCRIPT.read_bytes()).digest()).decode()
    assert (
        '<script async src="http://127.0.0.1:8000/static/embed/resonanz.js" '
        f'integrity="{integrity}" crossorigin="anonymous"></script>'
    ) in html
    assert 'data-campaign="snack-typ" data-lang="de"' in html
    assert 'data-campaign="tagesfrage" data-lang="de" data-mode="popup"' in html
    assert 'data-delay="5" data-exit-intent' in html
    assert 'data-campaign="snack-wissen" data-lang="de" data-mode="button"' in html
    assert "Kaffeerösterei Demo" in html
    assert (
        "Ein Demo-Shop auf einer anderen Website (http://localhost:8000), der Kampagnen von "
        "http://127.0.0.1:8000 zeigt."
    ) in html
    assert "Diese Woche frisch geröstet" in html
    assert "Was die Kampagnen dieser Seite mitteilen" in html


def test_the_shop_policy_allows_our_script_and_frames(client, demo_mode):
    policy = client.get(SHOP, HTTP_HOST="localhost:8000")["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert "http://127.0.0.1:8000" in directives["script-src"].split()
    assert "'self'" in directives["script-src"].split()
    assert directives["frame-src"].split() == ["http://127.0.0.1:8000"]


def test_the_shop_opened_on_our_own_host_moves_to_the_other_one(client, demo_mode):
    response = client.get(f"{SHOP}?x=1", HTTP_HOST="127.0.0.1:8000")

    assert response.status_code == 302
    assert response["Location"] == "http://localhost:8000/demo/shop/?x=1"


def test_the_shop_is_not_there_outside_demo_mode_until_the_demo_is_seeded(client, settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["localhost"]
    settings.SITE_URL = "http://127.0.0.1:8000"
    assert client.get(SHOP, HTTP_HOST="localhost:8000").status_code == 404

    published_purpose(key="partner_sharing")
    demo_partner_ensure()

    assert client.get(SHOP, HTTP_HOST="localhost:8000").status_code == 200


def test_the_demo_shop_is_the_sites_other_loopback_name(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    assert demo_shop_origin() == "http://localhost:8000"
    settings.SITE_URL = "http://localhost:9000"
    assert demo_shop_origin() == "http://127.0.0.1:9000"
    settings.SITE_URL = "https://resonanz.example"
    assert demo_shop_origin() is None


def test_allowing_the_demo_shop_waits_for_the_partners_allowed_sites(settings):
    from django.apps import apps

    demo_partner_ensure()
    try:
        apps.get_model("partners", "EmbedOrigin")
    except LookupError:
        assert demo_embed_origin_ensure() == 0
    else:
        assert demo_embed_origin_ensure() == 1
        assert demo_embed_origin_ensure() == 0


@pytest.mark.usefixtures("media_in_tmp")
def test_seed_demo_prints_the_shop_on_the_other_host(demo_mode, capsys):
    call_command("seed_demo")

    assert "http://localhost:8000/demo/shop/" in capsys.readouterr().out
