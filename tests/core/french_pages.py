"""Run only by tests/core/test_third_language.py, in a subprocess started with
DJANGO_SETTINGS_MODULE=tests.settings_third_language and --no-migrations (the French columns
exist only under those settings). Not collected by the main suite: the name is not test_*."""

import pytest
from django.conf import settings
from django.urls import reverse

from apps.personalization.services import offer_choice_sync
from tests.campaigns.factories import CampaignFactory
from tests.consent.factories import publish_new_version
from tests.loyalty.factories import RewardFactory
from tests.personalization.conftest import catalogue, declare  # noqa: F401 (fixture)
from tests.profiles.factories import ProfileFactory
from tests.profiles.helpers import browse_as

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _french_is_a_site_language() -> None:
    assert ("fr", "Français") in settings.LANGUAGES, "run with tests.settings_third_language"


@pytest.fixture
def french_browser(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    return client


@pytest.fixture
def french_texts(purpose, catalogue):  # noqa: F811
    campaign = CampaignFactory(
        slug="type-de-snack", title_fr="Quel type de snack es-tu ?", intro_fr="Trois questions."
    )
    version = publish_new_version(
        purpose,
        title_fr="Recommandations personnelles",
        summary_fr="Nous utilisons tes réponses pour te faire des suggestions.",
        text_fr="Le texte complet en français.",
    )
    reward = RewardFactory(title_fr="Boîte de snacks", cost=100)
    offer = catalogue["vegan-box"]
    offer.title_fr = "La boîte végane"
    offer.save()
    return {"campaign": campaign, "version": version, "reward": reward, "offer": offer}


def test_a_campaign_shows_its_french_title(french_browser, french_texts):
    page = french_browser.get(reverse("campaigns:intro", args=["type-de-snack"])).content.decode()

    assert "Quel type de snack es-tu ?" in page
    assert "Trois questions." in page


def test_a_purpose_shows_its_french_wording(french_browser, french_texts):
    page = french_browser.get(reverse("consent:center")).content.decode()

    assert "Recommandations personnelles" in page
    assert "Nous utilisons tes réponses pour te faire des suggestions." in page


def test_a_reward_shows_its_french_title(french_browser, french_texts):
    page = french_browser.get(reverse("loyalty:wallet")).content.decode()

    assert "Boîte de snacks" in page


def test_an_offer_shows_its_french_title(client, french_texts, catalogue):  # noqa: F811
    profile = ProfileFactory()
    declare(profile, catalogue["diet"], "vegan")
    offer_choice_sync()
    browse_as(client, profile)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    page = client.get(reverse("personalization:for-you")).content.decode()

    assert "La boîte végane" in page


def test_a_text_not_yet_in_french_falls_back_to_german(french_browser, french_texts):
    CampaignFactory(slug="nur-deutsch", title_de="Nur auf Deutsch", title_en="Only in English")

    page = french_browser.get(reverse("campaigns:intro", args=["nur-deutsch"])).content.decode()

    assert "Nur auf Deutsch" in page


@pytest.mark.parametrize(
    ("model", "row", "field", "french"),
    [
        ("campaigns/campaign", "campaign", "title", "Quel type de snack es-tu ?"),
        ("consent/purposeversion", "version", "title", "Recommandations personnelles"),
        ("loyalty/reward", "reward", "title", "Boîte de snacks"),
        ("personalization/offer", "offer", "title", "La boîte végane"),
    ],
)
def test_the_admin_has_a_french_tab_with_the_french_text(
    admin_client, french_texts, model, row, field, french
):
    app_label, model_name = model.split("/")
    url = reverse(f"admin:{app_label}_{model_name}_change", args=[french_texts[row].pk])

    page = admin_client.get(url).content.decode()

    assert f'name="{field}_fr"' in page or f"{field}_fr" in page
    assert french in page
    assert "modeltranslation/js/tabbed_translation_fields.js" in page


def test_the_language_switch_offers_french(french_browser):
    page = french_browser.get(reverse("home")).content.decode()

    assert 'name="language" value="fr" lang="fr" aria-pressed="true"' in page
    assert 'name="language" value="de" lang="de" aria-pressed="false"' in page
