from decimal import Decimal

import pytest
from django.urls import reverse

from apps.campaigns.models import ScoreTally
from tests.admin_forms import admin_form_data
from tests.campaigns.assessment_helpers import play, self_assessment
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db

# The page as a whole; the self-assessment part is two of them (bands, tallies).
RESULT_QUERIES = 13


def _result(client, campaign) -> str:
    response = client.get(reverse("campaigns:result", args=[campaign.slug]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_result_shows_each_area_with_its_bar_band_text_and_next_step(visitor, profile):
    campaign = self_assessment()
    play(campaign, profile, [4, 5, 2, 2])

    page = _result(visitor, campaign)

    assert "Gesamtniveau" in page
    assert "progress__bar--66" in page  # overall 3,3 of 5
    assert "<strong>4,5</strong>" in page
    assert "progress__bar--90" in page
    assert "Vorreiter Zuhören" in page
    assert "Text Vorreiter Zuhören" in page
    assert "Schritt Einsteiger Handeln" in page
    assert "sobald fünf Personen teilgenommen haben" in page


def test_the_result_compares_with_everyone_once_five_took_part(visitor, profile):
    campaign = self_assessment()
    for _ in range(4):
        play(campaign, ProfileFactory(), [1, 1, 1, 1])
    play(campaign, profile, [4, 5, 2, 2])

    page = _result(visitor, campaign)

    assert "Du liegst über dem Durchschnitt von 5 Teilnehmenden (1,5)." in page
    assert "Durchschnitt aller: 1,7" in page


def _add_players(campaign, count: int) -> None:
    for _ in range(count):
        play(campaign, ProfileFactory(), [2, 3, 4, 5])


def test_the_result_reads_as_many_rows_however_many_took_part(
    visitor, profile, django_assert_num_queries
):
    campaign = self_assessment()
    play(campaign, profile, [4, 5, 2, 2])
    _add_players(campaign, 1)
    _result(visitor, campaign)  # the player's questions are kept per process from here on
    with django_assert_num_queries(RESULT_QUERIES):
        _result(visitor, campaign)

    _add_players(campaign, 10)
    _result(visitor, campaign)
    with django_assert_num_queries(RESULT_QUERIES):
        page = _result(visitor, campaign)

    assert ScoreTally.objects.get(dimension="").plays == 12
    assert "von 12 Teilnehmenden" in page


def test_the_campaign_admin_shows_a_band_problem_on_its_field(admin_client):
    campaign = self_assessment()
    url = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    data = admin_form_data(admin_client.get(url))
    data["score_bands-0-lower_bound"] = "7.5"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "Werte liegen hier zwischen 1 und 5." in response.content.decode()
    assert not campaign.score_bands.filter(lower_bound=Decimal("7.5")).exists()


def test_the_campaign_admin_saves_bands_through_the_service(admin_client):
    campaign = self_assessment()
    url = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    data = admin_form_data(admin_client.get(url))
    data["score_bands-0-title_de"] = "Ganz am Anfang"

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert campaign.score_bands.filter(title_de="Ganz am Anfang").exists()
