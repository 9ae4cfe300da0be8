from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.campaigns.assessments import assessment_result, band_for
from apps.campaigns.models import ScoreBand, ScoreTally
from apps.campaigns.services import (
    campaign_duplicate,
    campaign_publish_problems,
    score_band_save,
)
from tests.campaigns.assessment_helpers import play, self_assessment
from tests.profiles.factories import ProfileFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _band(campaign, dimension, lower_bound):
    return ScoreBand(
        campaign=campaign, dimension=dimension, lower_bound=Decimal(lower_bound), title_de="X"
    )


def test_score_band_save_refuses_a_dimension_the_campaign_does_not_have():
    campaign = self_assessment()

    with pytest.raises(ValidationError) as refused:
        score_band_save(band=_band(campaign, "Zuhoeren", "2.0"))

    assert refused.value.message_dict == {
        "dimension": [
            "“Zuhoeren” is not a dimension of this campaign. Its dimensions: Handeln, Zuhören."
        ]
    }


def test_score_band_save_refuses_a_second_band_starting_at_the_same_score():
    campaign = self_assessment()

    with pytest.raises(ValidationError, match=r"already starts at 3\.0"):
        score_band_save(band=_band(campaign, "Zuhören", "3.0"))

    assert campaign.score_bands.filter(dimension="Zuhören").count() == 2


def test_score_band_save_refuses_a_start_outside_the_scale():
    campaign = self_assessment()

    with pytest.raises(ValidationError, match="between 1 and 5"):
        score_band_save(band=_band(campaign, "", "5.5"))


def test_band_for_picks_the_band_starting_highest_at_or_below_the_score():
    campaign = self_assessment()
    bands = list(campaign.score_bands.filter(dimension=""))

    assert band_for(bands=bands, score=2.9).lower_bound == Decimal("1.0")
    assert band_for(bands=bands, score=3.0).lower_bound == Decimal("3.0")
    assert band_for(bands=bands, score=0.5) is None


def test_completion_adds_each_dimension_and_the_overall_score_to_the_tallies(profile):
    campaign = self_assessment()

    play(campaign, profile, [4, 5, 2, 2])

    tallies = {t.dimension: (t.plays, t.tenths) for t in ScoreTally.objects.all()}
    assert tallies == {"Zuhören": (1, 45), "Handeln": (1, 20), "": (1, 33)}


def test_the_result_gives_each_dimension_its_band_and_an_overall_level(profile):
    campaign = self_assessment()
    participation = play(campaign, profile, [4, 5, 2, 2])

    result = assessment_result(participation=participation)

    assert [(d.key, d.name, d.score, d.band.title) for d in result.dimensions] == [
        ("Zuhören", "Listening", 4.5, "Vorreiter EN"),
        ("Handeln", "Acting", 2.0, "Einsteiger EN"),
    ]
    assert (result.overall.score, result.overall.band.title) == (3.3, "Vorreiter EN")
    assert result.dimensions[0].percent == 90


def test_the_comparison_stays_hidden_below_five_plays(profile):
    campaign = self_assessment()
    for _ in range(3):
        play(campaign, ProfileFactory(), [1, 1, 1, 1])

    result = assessment_result(participation=play(campaign, profile, [4, 5, 2, 2]))

    assert (result.plays, result.is_compared, result.overall.everyone) == (4, False, None)
    assert all(d.everyone is None for d in result.dimensions)


def test_from_five_plays_the_player_is_compared_with_everyone(profile):
    campaign = self_assessment()
    for _ in range(4):
        play(campaign, ProfileFactory(), [1, 1, 1, 1])

    result = assessment_result(participation=play(campaign, profile, [4, 5, 2, 2]))

    assert (result.plays, result.position) == (5, "above")
    # Overall: (3.3 + 4 * 1.0) / 5; Listening: (4.5 + 4 * 1.0) / 5.
    assert result.overall.everyone == 1.5
    assert result.dimensions[0].everyone == 1.7


def test_dimension_names_fall_back_to_german(profile):
    campaign = self_assessment()
    campaign.questions.update(dimension_en="")
    participation = play(campaign, profile, [4, 5, 2, 2])

    with translation.override("en"):
        names = [d.name for d in assessment_result(participation=participation).dimensions]

    assert names == ["Zuhören", "Handeln"]


def test_publishing_names_scores_that_no_band_holds():
    campaign = self_assessment()
    campaign.score_bands.filter(dimension="Handeln", lower_bound=Decimal("1.0")).delete()

    problems = campaign_publish_problems(campaign=campaign)

    assert problems == ["Scores of “Handeln” below 3.0 have no band."]


def test_a_duplicated_campaign_keeps_its_bands():
    campaign = self_assessment()

    copy = campaign_duplicate(campaign=campaign)

    assert copy.score_bands.count() == campaign.score_bands.count() == 6
