from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.privacy.models import DataRequest
from tests.profiles.factories import ProfileFactory


class DataRequestFactory(DjangoModelFactory[DataRequest]):
    """A request as stored, not yet run; `data_request_*` services run them."""

    class Meta:
        model = DataRequest

    kind = DataRequest.Kind.EXPORT
    profile = factory.SubFactory(ProfileFactory)
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
