from django.core.management.base import BaseCommand

from apps.privacy.roles import ROLES, roles_sync


class Command(BaseCommand):
    help = "Create the staff role groups and set their permissions to what the roles grant."

    def handle(self, *args, **options) -> None:
        roles_sync()
        self.stdout.write(f"Roles in step: {', '.join(ROLES)}.")
