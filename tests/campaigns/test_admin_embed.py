"""The campaign page's "Einbetten" panel: the snippets a brand's web team pastes, with the
script's hashed address on our site and its integrity, and the sites allowed to show them."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from django.core.files import File

from apps.campaigns.admin import CampaignAdmin
from apps.campaigns.models import Campaign
from tests.campaigns.factories import CampaignFactory
from tests.campaigns.test_builder_admin import CHANGE_PAGE_QUERIES, _change, _personality, manager

pytestmark = pytest.mark.django_db
__all__ = ["manager"]  # the builder tests' signed-in campaign manager, as a fixture

SCRIPT = Path(settings.BASE_DIR) / "static" / "embed" / "resonanz.js"


class ScriptCollectedStorage(ManifestStaticFilesStorage):
    """Production's manifest storage, with only the embed script collected: the admin's own
    files keep their plain names."""

    def stored_name(self, name: str) -> str:
        return self.hashed_files.get(self.hash_key(self.clean_name(name)), name)


@pytest.fixture
def collected(settings, tmp_path) -> str:
    """Collects the script as `collectstatic` does in production; returns its hashed name."""
    storage = ManifestStaticFilesStorage(location=tmp_path)
    with SCRIPT.open("rb") as source:
        storage.save("embed/resonanz.js", File(source))
    list(storage.post_process({"embed/resonanz.js": (storage, "embed/resonanz.js")}))
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": f"{__name__}.ScriptCollectedStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return storage.stored_name("embed/resonanz.js")


@pytest.fixture
def origins(monkeypatch) -> list[str]:
    asked = []

    def allowed() -> list[str]:
        asked.append(1)
        return ["https://shop.example", "https://www.marke.example"]

    monkeypatch.setattr(CampaignAdmin, "embed_origins_source", staticmethod(allowed))
    return asked


def _integrity() -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(SCRIPT.read_bytes()).digest()).decode()


def test_the_panel_gives_three_snippets_with_the_hashed_script_and_its_integrity(
    manager, collected, origins, settings
):
    settings.SITE_URL = "https://resonanz.example"
    campaign = CampaignFactory(slug="kaffee-typ", status=Campaign.Status.LIVE)

    html = manager.get(_change(campaign)).content.decode()

    assert re.fullmatch(r"embed/resonanz\.[0-9a-f]{12}\.js", collected)
    tag = (
        f"&lt;script async src=&quot;https://resonanz.example/static/{collected}&quot; "
        f"integrity=&quot;{_integrity()}&quot; crossorigin=&quot;anonymous&quot;&gt;"
    )
    assert html.count(tag) == 3
    assert html.count("&lt;resonanz-campaign data-campaign=&quot;kaffee-typ&quot;") == 3
    assert "data-mode=&quot;popup&quot; data-delay=&quot;10&quot; data-exit-intent&gt;" in html
    assert "data-mode=&quot;button&quot;&gt;" in html
    for german in ("Einbetten", "In der Seite", "Popup", "Schaltfläche", "Kopieren"):
        assert german in html
    assert "https://resonanz.example in script-src und frame-src" in html
    assert "<code>https://shop.example</code>, <code>https://www.marke.example</code>" in html
    assert "sobald die Kampagne live ist" not in html
    assert "js/copy-snippet.js" in html
    assert origins == [1]


def test_a_draft_says_the_snippet_works_once_it_is_live(manager, origins):
    campaign = CampaignFactory(status=Campaign.Status.DRAFT)

    html = manager.get(_change(campaign)).content.decode()

    assert "Der Code funktioniert, sobald die Kampagne live ist." in html


def test_without_allowed_sites_the_panel_says_none_yet(manager, monkeypatch):
    monkeypatch.setattr(CampaignAdmin, "embed_origins_source", None)
    campaign = CampaignFactory(status=Campaign.Status.LIVE)

    html = manager.get(_change(campaign)).content.decode()

    assert "noch keine. Eine Website kann Kampagnen zeigen" in html


def test_a_new_campaign_has_no_panel_yet(manager, origins):
    html = manager.get("/admin/campaigns/campaign/add/").content.decode()

    assert "Einbetten" not in html
    assert origins == []


def test_the_panel_adds_no_query_to_the_builder_page(
    manager, purpose, collected, origins, django_assert_num_queries
):
    campaign = _personality(1, purpose)
    manager.get(_change(campaign))  # content types and translations are kept per process
    with django_assert_num_queries(CHANGE_PAGE_QUERIES):
        response = manager.get(_change(campaign))

    assert "Einbetten" in response.content.decode()
