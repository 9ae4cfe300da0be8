import os
import secrets
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.core.exceptions import ApplicationError
from apps.partners.models import PartnerClient, Scope
from apps.partners.services import partner_client_create

# A generated HS256 secret: 32 random bytes, more than the 32 characters the model asks for.
GENERATED_SECRET_BYTES = 32


class Command(BaseCommand):
    help = (
        "Create a partner system with its OAuth2 client and print the client id and secret. "
        "The secret is stored only hashed: this is the one time it is shown. Optionally set "
        "the key its embed tokens (embedded sign-in) are checked with; a shared secret is "
        "never taken on the command line, where it would stay in the shell history."
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
        embed = parser.add_mutually_exclusive_group()
        embed.add_argument(
            "--embed-public-key-file",
            metavar="PATH",
            help="The partner's Ed25519 public key (PEM): embed tokens are EdDSA.",
        )
        embed.add_argument(
            "--embed-hs256-secret-from-env",
            metavar="VARIABLE",
            help="Name of an environment variable holding the shared HS256 secret "
            "(at least 32 characters).",
        )
        embed.add_argument(
            "--embed-hs256-generate",
            action="store_true",
            help="Make a random shared HS256 secret and print it once, to hand to the partner.",
        )

    def handle(self, *args, name, key, scopes, purposes, contact, **options) -> None:
        if PartnerClient.objects.filter(key=key).exists():
            raise CommandError(f"A partner with the key {key!r} exists already.")
        algorithm, embed_key, generated = self._embed_key(options)
        try:
            partner, secret = partner_client_create(
                name=name,
                key=key,
                scopes=scopes,
                purpose_keys=purposes,
                contact_email=contact,
                embed_algorithm=algorithm,
                embed_key=embed_key,
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"client_id:     {partner.application.client_id}")
        self.stdout.write(f"client_secret: {secret}")
        if generated:
            self.stdout.write(f"embed_hs256_secret: {embed_key}")
        if embed_key:
            self.stdout.write(f"Embedded sign-in: {algorithm} tokens with iss={partner.key}.")
        self.stdout.write("Token: POST /api/oauth/token/ with grant_type=client_credentials.")

    def _embed_key(self, options: dict) -> tuple[str, str, bool]:
        """(algorithm, key, whether we made it) from whichever embed option was given."""
        if options.get("embed_public_key_file"):
            path = Path(options["embed_public_key_file"])
            try:
                return PartnerClient.EmbedAlgorithm.EDDSA, path.read_text().strip(), False
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(f"Cannot read the public key file {path}: {error}") from error
        if options.get("embed_hs256_secret_from_env"):
            variable = options["embed_hs256_secret_from_env"]
            value = os.environ.get(variable, "")
            if not value:
                raise CommandError(f"The environment variable {variable} is not set or empty.")
            return PartnerClient.EmbedAlgorithm.HS256, value, False
        if options.get("embed_hs256_generate"):
            secret = secrets.token_urlsafe(GENERATED_SECRET_BYTES)
            return PartnerClient.EmbedAlgorithm.HS256, secret, True
        return PartnerClient.EmbedAlgorithm.EDDSA, "", False
