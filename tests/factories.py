"""Factories for rows no app of ours owns."""

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

PASSWORD = "staff-password"


class StaffUserFactory(DjangoModelFactory):
    """A staff member who can sign in to the admin with PASSWORD and has no permission yet."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
    password = factory.django.Password(PASSWORD)
