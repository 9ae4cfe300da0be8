"""A small self-assessment for tests: two dimensions of two statements each, with bands."""

from decimal import Decimal

from apps.campaigns.models import Campaign, ScoreBand
from apps.campaigns.services import (
    answer_submit,
    participation_complete,
    participation_start,
    score_band_save,
)
from tests.campaigns.factories import CampaignFactory, QuestionFactory

DIMENSIONS = [("Zuhören", "Listening")] * 2 + [("Handeln", "Acting")] * 2


def self_assessment() -> Campaign:
    campaign = CampaignFactory(kind=Campaign.Kind.SURVEY)
    for position, (de, en) in enumerate(DIMENSIONS, 1):
        QuestionFactory(
            campaign=campaign, position=position, kind="scale", dimension_de=de, dimension_en=en
        )
    for dimension in ("", "Zuhören", "Handeln"):
        for lower_bound, title in (("1.0", "Einsteiger"), ("3.0", "Vorreiter")):
            score_band_save(
                band=ScoreBand(
                    campaign=campaign,
                    dimension=dimension,
                    lower_bound=Decimal(lower_bound),
                    title_de=f"{title} {dimension or 'gesamt'}",
                    title_en=f"{title} EN",
                    text_de=f"Text {title} {dimension or 'gesamt'}",
                    text_en=f"Text {title} EN",
                    next_step_de=f"Schritt {title} {dimension or 'gesamt'}",
                    next_step_en=f"Step {title} EN",
                )
            )
    return campaign


def play(campaign: Campaign, profile, ratings: list[int]):
    participation = participation_start(campaign=campaign, profile=profile, locale="de")
    for question, rating in zip(campaign.questions.order_by("position"), ratings, strict=True):
        answer_submit(participation=participation, question_id=question.pk, number=rating)
    return participation_complete(participation=participation)
