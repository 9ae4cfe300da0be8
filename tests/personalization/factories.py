import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.personalization.models import ChurnScore, Offer, Segment
from tests.profiles.factories import ProfileFactory


class SegmentFactory(DjangoModelFactory[Segment]):
    class Meta:
        model = Segment

    key = factory.Sequence(lambda n: f"segment-{n}")
    name = factory.Sequence(lambda n: f"Segment {n}")
    rule = factory.LazyFunction(lambda: {"attribute": "snack", "op": "eq", "value": "sweet"})


class OfferFactory(DjangoModelFactory[Offer]):
    class Meta:
        model = Offer

    key = factory.Sequence(lambda n: f"offer-{n}")
    title_de = factory.Sequence(lambda n: f"Angebot {n}")
    title_en = factory.Sequence(lambda n: f"Offer {n}")


class ChurnScoreFactory(DjangoModelFactory[ChurnScore]):
    class Meta:
        model = ChurnScore

    profile = factory.SubFactory(ProfileFactory)
    score = 12
    band = ChurnScore.Band.LOW
    contributions = factory.LazyFunction(
        lambda: [{"feature": "recency", "points": 12, "value": 30}]
    )
    computed_at = factory.LazyFunction(timezone.now)
