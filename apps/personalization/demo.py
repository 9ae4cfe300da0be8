"""Two segments to try the rule builder on, offers, and a population of synthetic customers
that makes every dashboard show figures. Idempotent."""

from django.db import transaction

from apps.campaigns.selectors import campaign_get
from apps.consent.models import ConsentEvent
from apps.personalization.churn import churn_scores_compute
from apps.personalization.materialize import segments_materialize
from apps.personalization.models import Segment
from apps.personalization.services import (
    offer_choice_sync,
    offer_match_save,
    offer_save,
    segment_save,
)

SEGMENTS = [
    (
        "plant-based-savoury",
        "Pflanzlich und herzhaft",
        {
            "all": [
                {"attribute": "diet", "op": "in", "value": ["vegan", "vegetarian"]},
                {"attribute": "favourite_category", "op": "eq", "value": "savory"},
            ]
        },
    ),
    (
        "engaged-big-spenders",
        "Aktiv mit großem Budget",
        {
            "all": [
                {"attribute": "budget", "op": "gte", "value": 4},
                {"earned_within_days": 30, "gte": 100},
                {"not": {"consent": "email_marketing"}},
            ]
        },
    ),
]


@transaction.atomic
def demo_segments_ensure() -> int:
    created = 0
    for key, name, rule in SEGMENTS:
        if not Segment.objects.filter(key=key).exists():
            segment_save(segment=Segment(key=key, name=name, rule=rule))
            created += 1
    return created


OFFERS = [
    # key, German, English, text German, text English, link, matches
    (
        "vegan-box",
        "Die Vegan-Box",
        "The vegan box",
        "Zwölf pflanzliche Snacks zum Probieren.",
        "Twelve plant-based snacks to try.",
        "/c/snack-wissen/",
        [("diet", "vegan", 2), ("diet", "vegetarian", 1)],
    ),
    (
        "scharfe-woche",
        "Die scharfe Woche",
        "Spicy week",
        "Jeden Tag ein neuer scharfer Snack.",
        "A new spicy snack every day.",
        "/c/snack-typ/",
        [("favourite_category", "spicy", 2)],
    ),
    (
        "herzhaft-paket",
        "Das Herzhaft-Paket",
        "The savoury pack",
        "Chips, Cracker und Nüsse.",
        "Crisps, crackers and nuts.",
        "/me/points/",
        [("favourite_category", "savory", 2), ("diet", "omnivore", 1)],
    ),
]

# Offers that invite to a demo campaign: recommended until the customer has played it.
CAMPAIGN_INVITES = [
    # key, German, English, text German, text English, campaign slug, matches
    (
        "einladung-snack-wissen",
        "Wie gut kennst du Snacks?",
        "How well do you know snacks?",
        "Fünf Fragen für Naschkatzen, mit Punkten für jede Runde.",
        "Five questions for the sweet-toothed, with points for every round.",
        "snack-wissen",
        [("favourite_category", "sweet", 2)],
    ),
]


@transaction.atomic
def demo_offers_ensure() -> int:
    created = 0
    for key, title_de, title_en, text_de, text_en, link, matches in OFFERS:
        texts = (title_de, title_en, text_de, text_en)
        created += _demo_offer(key, texts, matches, link=link)
    for key, title_de, title_en, text_de, text_en, slug, matches in CAMPAIGN_INVITES:
        campaign = campaign_get(slug=slug)
        if campaign is not None:
            texts = (title_de, title_en, text_de, text_en)
            created += _demo_offer(key, texts, matches, campaign=campaign)
    # Offers made before the purpose existed become answerable too.
    offer_choice_sync()
    return created


def _demo_offer(key: str, texts: tuple[str, str, str, str], matches, **target) -> int:
    from apps.personalization.models import Offer, OfferMatch
    from apps.preferences.models import Attribute

    if Offer.objects.filter(key=key).exists():
        return 0
    title_de, title_en, text_de, text_en = texts
    offer = offer_save(
        offer=Offer(
            key=key,
            title_de=title_de,
            title_en=title_en,
            text_de=text_de,
            text_en=text_en,
            **target,
        )
    )
    for attribute_key, value, weight in matches:
        offer_match_save(
            match=OfferMatch(
                offer=offer,
                attribute=Attribute.objects.get(key=attribute_key),
                value=value,
                weight=weight,
            )
        )
    return 1


# History of the demo population: three to four months, so charts over time have a shape.
DEMO_HISTORY_DAYS = 100


def demo_population_ensure(*, count: int, seed: int = 1) -> int:
    """`count` synthetic customers with about 100 days of history (consents and refusals,
    declarations, plays and answers, points, redemptions, challenge progress), then their
    segments and churn scores; nothing when a population is there already. Returns how many
    customers were made."""
    from apps.personalization.synthetic.profiles import COLLECTION_POINT, profiles_generate

    if count <= 0 or ConsentEvent.objects.filter(collection_point=COLLECTION_POINT).exists():
        return 0
    for _written in profiles_generate(count=count, seed=seed, days=DEMO_HISTORY_DAYS):
        pass
    segments_materialize(full=True)
    churn_scores_compute()
    return count
