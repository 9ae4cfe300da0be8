from django.core.management.base import BaseCommand, CommandError

from apps.core.exceptions import ApplicationError
from apps.partners.models import PartnerClient, Scope
from apps.partners.services import partner_client_create


class Command(BaseCommand):
    help = (
        "Create a partner system with its OAuth2 client and print the client id and secret. "
        "The secret is stored only hashed: this is the one time it is shown."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--name", required=True, help="Shown to staff and customers.")
        parser.add_argument("--key", required=True, help="Short fixed name, e.g. shop.")
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            choices=Scope.values,
            required=True,
            help="Repeat for each scope.",
        )
        parser.add_argument(
            "--purpose",
            action="append",
            dest="purposes",
            default=[],
            help="A purpose whose data the partner may read; repeat for each.",
        )
        parser.add_argument("--contact", default="", help="Technical contact e-mail.")

    def handle(self, *args, name, key, scopes, purposes, contact, **options) -> None:
        if PartnerClient.objects.filter(key=key).exists():
            raise CommandError(f"A partner with the key {key!r} exists already.")
        try:
            partner, secret = partner_client_create(
                name=name, key=key, scopes=scopes, purpose_keys=purposes, contact_email=contact
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"client_id:     {partner.application.client_id}")
        self.stdout.write(f"client_secret: {secret}")
        self.stdout.write("Token: POST /api/oauth/token/ with grant_type=client_credentials.")
