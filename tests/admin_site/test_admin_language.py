"""The whole admin reads in German for German staff: no English label left on any list or
add page, nothing marked for translation without a German text, and no page that fails."""

import contextlib
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import trans_real

from tests.admin_site.labels import admin_labels
from tests.campaigns.factories import CampaignFactory, OptionFactory, QuestionFactory
from tests.challenges.factories import ChallengeFactory
from tests.consent.factories import published_purpose
from tests.loyalty.factories import BadgeFactory, EarningRuleFactory, RewardFactory, TierFactory
from tests.partners.factories import WebhookEndpointFactory
from tests.personalization.factories import ChurnScoreFactory, OfferFactory, SegmentFactory
from tests.preferences.factories import AttributeFactory, DeclarationFactory
from tests.privacy.factories import DataRequestFactory
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db

# Words German uses as they are, and names.
SAME_IN_BOTH = {
    "API",
    "Challenge",
    "Challenges",
    "Deutsch",
    "Django OAuth Toolkit",
    "English",
    "ID",
    "id",
    "Import",
    "Live",
    "Partner",
    "S256",
    "plain",
    "URL",
    "Web",
    "Website",
}


class _Text(HTMLParser):
    """The text a reader sees, one entry per text node, and the labels of buttons and fields."""

    SKIP = {"script", "style", "svg"}

    def __init__(self) -> None:
        super().__init__()
        self.texts: set[str] = set()
        self._skipping = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self.SKIP:
            self._skipping += 1
        for name, value in attrs:
            # Titles show keys on hover, beside the name: not part of the reading.
            if name in ("placeholder", "aria-label") and value:
                self.texts.add(value.strip())
            if tag == "input" and name == "value" and ("type", "submit") in attrs and value:
                self.texts.add(value.strip())

    def handle_endtag(self, tag) -> None:
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data) -> None:
        if not self._skipping and data.strip():
            self.texts.add(" ".join(data.split()).rstrip(":"))


def _english_only() -> set[str]:
    """Every English text some catalogue translates to something else in German."""
    catalog = trans_real.translation("de")._catalog
    english = set()
    for msgid, msgstr in catalog.items():
        if isinstance(msgid, str) and "\x04" not in msgid and msgid.lower() != msgstr.lower():
            english.add(msgid.lower())
    for _where, label in admin_labels():
        with translation.override("en"):
            text = str(label)
        with translation.override("de"):
            if str(label).lower() != text.lower():
                english.add(text.lower())
    # Short words are German too ("Name", "Status", "Text"): only longer ones tell.
    return {text for text in english if (len(text) > 4 and " " in text) or len(text) > 12}


def _pages(user) -> list[str]:
    request = RequestFactory().get("/admin/")
    request.user = user
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(request):
            with contextlib.suppress(NoReverseMatch):
                urls.append(reverse("admin:{}_{}_add".format(*info)))
    return urls


def test_every_admin_label_has_a_german_text():
    untranslated = set()
    for where, label in admin_labels():
        with translation.override("en"):
            english = str(label)
        with translation.override("de"):
            german = str(label)
        if english == german and english not in SAME_IN_BOTH:
            untranslated.add(f"{where}: {english}")

    assert sorted(untranslated) == []


@pytest.fixture
def one_of_each(db) -> None:
    """A row on the main lists, so they show their columns, filters and actions."""
    purpose = published_purpose(key="personalization")
    profile = ProfileFactory()
    attribute = AttributeFactory(purpose=purpose)
    DeclarationFactory(profile=profile, attribute=attribute)
    OptionFactory(question=QuestionFactory(campaign=CampaignFactory()))
    ChallengeFactory()
    TierFactory()
    BadgeFactory()
    EarningRuleFactory()
    RewardFactory()
    SegmentFactory()
    OfferFactory()
    ChurnScoreFactory(profile=profile)
    DataRequestFactory(profile=profile)
    WebhookEndpointFactory()


def test_every_list_and_add_page_reads_in_german(admin_client, admin_user, one_of_each):
    admin_client.cookies["django_language"] = "de"
    english = _english_only()
    leaks = {}
    for url in _pages(admin_user):
        response = admin_client.get(url, follow=True)
        assert response.status_code == 200, url
        parser = _Text()
        parser.feed(response.content.decode())
        found = sorted({text for text in parser.texts if text.lower() in english})
        if found:
            leaks[url] = found

    assert not leaks, "\n".join(f"{url}: {texts}" for url, texts in sorted(leaks.items()))


def test_the_admin_reads_in_english_for_staff_who_chose_it(admin_client):
    CampaignFactory()
    admin_client.cookies["django_language"] = "en"

    html = admin_client.get(reverse("admin:campaigns_campaign_changelist")).content.decode()

    assert "Completion rate" in html
    assert "Abschlussquote" not in html


def test_the_admins_scripts_read_german_too(admin_client):
    """The two-list picker (a campaign's purposes) labels its buttons from this catalogue."""
    admin_client.cookies["django_language"] = "de"

    script = admin_client.get(reverse("admin:jsi18n")).content.decode()

    assert "Choose all %s" in script
    assert "Alle %s ausw" in script
