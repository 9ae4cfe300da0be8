import factory
from factory.django import DjangoModelFactory

from apps.loyalty.models import Badge, EarningRule, Reward, Tier


class TierFactory(DjangoModelFactory[Tier]):
    class Meta:
        model = Tier
        django_get_or_create = ["key"]

    key = factory.Sequence(lambda n: f"tier_{n}")
    name_de = factory.LazyAttribute(lambda t: t.key.title())
    name_en = factory.LazyAttribute(lambda t: t.key.title())
    threshold = 0


class EarningRuleFactory(DjangoModelFactory[EarningRule]):
    class Meta:
        model = EarningRule

    name_de = "Quiz abgeschlossen"
    name_en = "Quiz completed"
    event_name = "quiz.completed"
    points = 50


class RewardFactory(DjangoModelFactory[Reward]):
    class Meta:
        model = Reward

    title_de = factory.Sequence(lambda n: f"Prämie {n}")
    title_en = factory.Sequence(lambda n: f"Reward {n}")
    cost = 100


class BadgeFactory(DjangoModelFactory[Badge]):
    class Meta:
        model = Badge
        django_get_or_create = ["key"]

    key = factory.Sequence(lambda n: f"badge-{n}")
    name_de = factory.Sequence(lambda n: f"Abzeichen {n}")
    name_en = factory.Sequence(lambda n: f"Badge {n}")
