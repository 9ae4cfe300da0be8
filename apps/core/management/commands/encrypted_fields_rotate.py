from django.core.management.base import BaseCommand

from apps.core.encrypted_fields import encrypted_fields_rotate


class Command(BaseCommand):
    help = (
        "Encrypt every encrypted field again with the first key in FIELD_ENCRYPTION_KEY. Run it "
        "after putting a new key first; then the old keys can be dropped."
    )

    def handle(self, *args, **options) -> None:
        rotated = encrypted_fields_rotate()
        self.stdout.write(f"{rotated} values encrypted with the newest key.")
