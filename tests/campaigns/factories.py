import factory
from factory.django import DjangoModelFactory

from apps.campaigns.models import Campaign, Option, Outcome, Question


class CampaignFactory(DjangoModelFactory[Campaign]):
    class Meta:
        model = Campaign
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"campaign-{n}")
    kind = Campaign.Kind.TRIVIA
    status = Campaign.Status.LIVE
    title_de = factory.LazyAttribute(lambda c: f"Quiz {c.slug}")
    title_en = factory.LazyAttribute(lambda c: f"Quiz {c.slug}")


class QuestionFactory(DjangoModelFactory[Question]):
    class Meta:
        model = Question

    campaign = factory.SubFactory(CampaignFactory)
    position = factory.Sequence(lambda n: n + 1)
    text_de = factory.Sequence(lambda n: f"Frage {n}?")
    text_en = factory.Sequence(lambda n: f"Question {n}?")


class OptionFactory(DjangoModelFactory[Option]):
    class Meta:
        model = Option

    question = factory.SubFactory(QuestionFactory)
    label_de = factory.Sequence(lambda n: f"Antwort {n}")
    label_en = factory.Sequence(lambda n: f"Answer {n}")


class OutcomeFactory(DjangoModelFactory[Outcome]):
    class Meta:
        model = Outcome

    campaign = factory.SubFactory(CampaignFactory)
    key = factory.Sequence(lambda n: f"outcome-{n}")
    title_de = factory.LazyAttribute(lambda o: o.key.title())
    title_en = factory.LazyAttribute(lambda o: o.key.title())
