"""Translated fields (django-modeltranslation): the active language, German as the fallback,
and the admin's language tabs served from our own static files."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import translation

from apps.campaigns.models import Campaign
from tests.campaigns.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def test_a_translated_field_reads_the_active_language():
    campaign = CampaignFactory(title_de="Welcher Snack-Typ bist du?", title_en="Which snack?")

    with translation.override("en"):
        english = Campaign.objects.get(pk=campaign.pk).title
    with translation.override("de"):
        german = Campaign.objects.get(pk=campaign.pk).title

    assert (english, german) == ("Which snack?", "Welcher Snack-Typ bist du?")


def test_an_empty_translation_falls_back_to_german():
    campaign = CampaignFactory(title_de="Nur auf Deutsch", title_en="", intro_de="Drei Fragen.")

    with translation.override("en"):
        campaign = Campaign.objects.get(pk=campaign.pk)
        assert (campaign.title, campaign.intro) == ("Nur auf Deutsch", "Drei Fragen.")


def test_the_admin_shows_languages_as_tabs_with_scripts_from_our_own_static_files(admin_client):
    campaign = CampaignFactory(title_de="Snack-Typ", title_en="Snack type")

    page = admin_client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk]))

    html = page.content.decode()
    scripts = re.findall(r'<script[^>]* src="([^"]+)"', html)
    assert "/static/vendor/jquery-ui.min.js" in scripts
    assert "/static/modeltranslation/js/tabbed_translation_fields.js" in scripts
    assert all(src.startswith("/") and not src.startswith("//") for src in scripts), scripts
    assert finders.find("vendor/jquery-ui.min.js")
    assert 'name="title_de"' in html
    assert 'name="title_en"' in html
    assert 'name="title"' not in html
