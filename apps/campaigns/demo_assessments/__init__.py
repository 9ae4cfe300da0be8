"""The demo self-assessments, with their score bands, in German and English (used by
`demo.py`)."""

from apps.campaigns.demo_assessments.customer_focus import CUSTOMER_FOCUS, CUSTOMER_FOCUS_BANDS
from apps.campaigns.demo_assessments.marketing_confidence import (
    DEMO_AVERAGES,
    DEMO_PLAYS,
    MARKETING_CONFIDENCE,
    MARKETING_CONFIDENCE_BANDS,
)
from apps.campaigns.models import Campaign, ScoreBand, ScoreTally
from apps.campaigns.services import score_band_save

__all__ = [
    "CUSTOMER_FOCUS",
    "MARKETING_CONFIDENCE",
    "demo_score_bands_ensure",
    "demo_score_tallies_ensure",
]

ASSESSMENT_BANDS = {
    MARKETING_CONFIDENCE["slug"]: MARKETING_CONFIDENCE_BANDS,
    CUSTOMER_FOCUS["slug"]: CUSTOMER_FOCUS_BANDS,
}


def demo_score_bands_ensure() -> int:
    """Give each demo self-assessment its bands, unless it already has some."""
    created = 0
    for slug, bands in ASSESSMENT_BANDS.items():
        campaign = Campaign.objects.filter(slug=slug).first()
        if campaign is None or campaign.score_bands.exists():
            continue
        for dimension, (lower_bound, title_de, title_en), texts, steps in bands:
            score_band_save(
                band=ScoreBand(
                    campaign=campaign,
                    dimension=dimension,
                    lower_bound=lower_bound,
                    title_de=title_de,
                    title_en=title_en,
                    text_de=texts[0],
                    text_en=texts[1],
                    next_step_de=steps[0],
                    next_step_en=steps[1],
                )
            )
            created += 1
    return created


def demo_score_tallies_ensure() -> int:
    campaign = Campaign.objects.filter(slug=MARKETING_CONFIDENCE["slug"]).first()
    if campaign is None or campaign.score_tallies.exists():
        return 0
    ScoreTally.objects.bulk_create(
        ScoreTally(
            campaign=campaign,
            dimension=dimension,
            plays=DEMO_PLAYS,
            tenths=int(average * 10 * DEMO_PLAYS),
        )
        for dimension, average in DEMO_AVERAGES.items()
    )
    return len(DEMO_AVERAGES)
