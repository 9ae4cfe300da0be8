import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.campaigns.models import (
    Answer,
    Campaign,
    CampaignViews,
    Option,
    Outcome,
    Participation,
    Question,
)
from apps.campaigns.services import option_save, outcome_save, question_save
from tests.profiles.factories import ProfileFactory


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

    @classmethod
    def _create(cls, model_class, *args, **kwargs) -> Question:
        # As staff do: through the service, which touches the campaign.
        return question_save(question=model_class(*args, **kwargs))

    campaign = factory.SubFactory(CampaignFactory)
    position = factory.Sequence(lambda n: n + 1)
    text_de = factory.Sequence(lambda n: f"Frage {n}?")
    text_en = factory.Sequence(lambda n: f"Question {n}?")


class OptionFactory(DjangoModelFactory[Option]):
    class Meta:
        model = Option

    @classmethod
    def _create(cls, model_class, *args, **kwargs) -> Option:
        return option_save(option=model_class(*args, **kwargs))

    question = factory.SubFactory(QuestionFactory)
    label_de = factory.Sequence(lambda n: f"Antwort {n}")
    label_en = factory.Sequence(lambda n: f"Answer {n}")


class OutcomeFactory(DjangoModelFactory[Outcome]):
    class Meta:
        model = Outcome

    @classmethod
    def _create(cls, model_class, *args, **kwargs) -> Outcome:
        return outcome_save(outcome=model_class(*args, **kwargs))

    campaign = factory.SubFactory(CampaignFactory)
    key = factory.Sequence(lambda n: f"outcome-{n}")
    title_de = factory.LazyAttribute(lambda o: o.key.title())
    title_en = factory.LazyAttribute(lambda o: o.key.title())


class ParticipationFactory(DjangoModelFactory[Participation]):
    """A play row as stored; plays that should run the player's rules go through the services."""

    class Meta:
        model = Participation

    campaign = factory.SubFactory(CampaignFactory)
    profile = factory.SubFactory(ProfileFactory)


class AnswerFactory(DjangoModelFactory[Answer]):
    class Meta:
        model = Answer
        skip_postgeneration_save = True

    participation = factory.SubFactory(ParticipationFactory)
    question = factory.SubFactory(
        QuestionFactory, campaign=factory.SelfAttribute("..participation.campaign")
    )

    @factory.post_generation
    def options(self, create: bool, extracted: list[Option] | None, **kwargs) -> None:
        if create and extracted:
            self.options.set(extracted)


class CampaignViewsFactory(DjangoModelFactory[CampaignViews]):
    class Meta:
        model = CampaignViews

    campaign = factory.SubFactory(CampaignFactory)
    day = factory.LazyFunction(timezone.localdate)
