from datetime import timedelta

import pytest
from django.utils import timezone

from apps.consent.models import ConsentState
from apps.personalization.models import Offer, OfferMatch
from apps.preferences.models import Declaration, Source
from tests.consent.factories import grant_consent
from tests.preferences.factories import AttributeFactory


@pytest.fixture
def catalogue(purpose):
    diet = AttributeFactory(key="diet", purpose=purpose, choices=["vegan", "omnivore"])
    taste = AttributeFactory(key="taste", purpose=purpose, choices=["spicy", "sweet"])
    offers = {}
    for key, matches in {
        "vegan-box": [(diet, "vegan", 2)],
        "spicy-week": [(taste, "spicy", 1)],
        "vegan-spicy": [(diet, "vegan", 1), (taste, "spicy", 1)],
        "meat-box": [(diet, "omnivore", 2)],
    }.items():
        offer = Offer.objects.create(key=key, title_de=key, title_en=key)
        for attribute, value, weight in matches:
            OfferMatch.objects.create(offer=offer, attribute=attribute, value=value, weight=weight)
        offers[key] = offer
    return {"diet": diet, "taste": taste, **offers}


def declare(profile, attribute, value, *, days_ago=0, label="Snack-Quiz"):
    state = ConsentState.objects.filter(profile=profile, purpose=attribute.purpose).first()
    grant = state.event if state else grant_consent(profile, attribute.purpose)
    moment = timezone.now() - timedelta(days=days_ago)
    return Declaration.objects.create(
        profile=profile,
        attribute=attribute,
        value=value,
        source=Source.QUIZ,
        source_label=label,
        consent_event=grant,
        declared_at=moment,
        confirmed_at=moment,
    )
