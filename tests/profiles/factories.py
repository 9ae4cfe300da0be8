import factory
from factory.django import DjangoModelFactory

from apps.profiles.identifiers import sha256_hex
from apps.profiles.models import Identifier, Profile


class ProfileFactory(DjangoModelFactory[Profile]):
    class Meta:
        model = Profile

    locale = "de"


class IdentifierFactory(DjangoModelFactory[Identifier]):
    class Meta:
        model = Identifier

    profile = factory.SubFactory(ProfileFactory)
    kind = Identifier.Kind.EMAIL
    value = factory.Sequence(lambda n: f"kunde{n}@example.com")
    value_sha256 = factory.LazyAttribute(lambda i: sha256_hex(i.value))
