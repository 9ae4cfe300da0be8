from factory.django import DjangoModelFactory

from apps.profiles.models import Profile


class ProfileFactory(DjangoModelFactory[Profile]):
    class Meta:
        model = Profile

    locale = "de"
