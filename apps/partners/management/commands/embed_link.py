import time
import uuid
from urllib.parse import urlencode

import jwt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from apps.partners.models import PartnerClient


class Command(BaseCommand):
    help = (
        "Print a fresh embedded sign-in link for a partner that shares an HS256 secret, as the "
        "partner's shop would make it: for trying the flow and for partner onboarding."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--partner", required=True, help="The partner's key.")
        parser.add_argument("--customer", required=True, help="The partner's customer id.")
        parser.add_argument("--next", default="/", help="Where to go after signing in.")

    def handle(self, *args, partner: str, customer: str, next: str, **options) -> None:
        client = PartnerClient.objects.filter(key=partner, is_active=True).first()
        if client is None:
            raise CommandError(f"No active partner with the key {partner!r}.")
        if client.embed_algorithm != PartnerClient.EmbedAlgorithm.HS256 or not client.embed_key:
            raise CommandError(
                "Only partners with a shared HS256 secret can be signed for here; an EdDSA "
                "partner signs with its own private key, which Resonanz never holds."
            )
        now = int(time.time())
        claims = {
            "iss": client.key,
            "sub": customer,
            "aud": settings.EMBED_TOKEN_AUDIENCE,
            "iat": now,
            "exp": now + settings.EMBED_TOKEN_MAX_LIFETIME,
            "jti": uuid.uuid4().hex,
        }
        token = jwt.encode(claims, client.embed_key, algorithm="HS256")
        query = urlencode({"token": token, "next": next})
        self.stdout.write(f"{settings.SITE_URL}{reverse('partners:embed')}?{query}")
