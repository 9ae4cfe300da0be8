import factory
from factory.django import DjangoModelFactory

from apps.preferences.models import Attribute, AttributeValue, Declaration, Source
from tests.consent.factories import grant_consent, published_purpose
from tests.profiles.factories import ProfileFactory


class AttributeFactory(DjangoModelFactory[Attribute]):
    class Meta:
        model = Attribute
        skip_postgeneration_save = True

    key = factory.Sequence(lambda n: f"attribute_{n}")
    kind = Attribute.Kind.SINGLE_CHOICE
    topic = Attribute.Topic.TASTE
    purpose = factory.LazyFunction(lambda: published_purpose(key="personalization"))
    label_de = factory.LazyAttribute(lambda a: f"Frage {a.key}")
    label_en = factory.LazyAttribute(lambda a: f"Question {a.key}")

    @factory.post_generation
    def choices(self, create: bool, extracted: list[str] | None, **kwargs) -> None:
        if not create or not self.has_choices:
            return
        for position, key in enumerate(extracted or ["sweet", "savory", "spicy"]):
            AttributeValue.objects.create(
                attribute=self,
                key=key,
                label_de=f"{key} (de)",
                label_en=f"{key} (en)",
                position=position,
            )


class DeclarationFactory(DjangoModelFactory[Declaration]):
    """A stored declaration row under a fresh grant of its attribute's purpose. Declarations
    that should run the purpose check go through `preference_declare`."""

    class Meta:
        model = Declaration

    profile = factory.SubFactory(ProfileFactory)
    attribute = factory.SubFactory(AttributeFactory)
    value = "sweet"
    source = Source.QUIZ
    consent_event = factory.LazyAttribute(lambda d: grant_consent(d.profile, d.attribute.purpose))
