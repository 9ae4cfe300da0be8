import factory
from factory.django import DjangoModelFactory

from apps.consent.models import Purpose
from apps.partners.models import PartnerClient, WebhookEndpoint
from apps.partners.services import partner_client_create
from tests.consent.factories import published_purpose


def _partner_sharing() -> list[str]:
    if not Purpose.objects.filter(key="partner_sharing").exists():
        published_purpose(key="partner_sharing")
    return ["partner_sharing"]


class PartnerClientFactory(DjangoModelFactory[PartnerClient]):
    """A partner made as the admin makes one, with its OAuth2 client (secret not kept)."""

    class Meta:
        model = PartnerClient
        django_get_or_create = ["key"]

    name = factory.Sequence(lambda n: f"Partner {n}")
    key = factory.Sequence(lambda n: f"partner-{n}")
    scopes = factory.LazyFunction(lambda: ["profiles:read"])
    purpose_keys = factory.LazyFunction(_partner_sharing)

    @classmethod
    def _create(cls, model_class, *args, **fields) -> PartnerClient:
        client, _secret = partner_client_create(**fields)
        return client


class WebhookEndpointFactory(DjangoModelFactory[WebhookEndpoint]):
    class Meta:
        model = WebhookEndpoint

    partner = factory.SubFactory(PartnerClientFactory)
    url = factory.Sequence(lambda n: f"https://hooks.example.com/{n}")
    event_types = factory.LazyFunction(lambda: ["points.changed"])
    secret = factory.Sequence(lambda n: f"whsec_{n:032d}")
