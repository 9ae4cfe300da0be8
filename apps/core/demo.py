"""Demo data for a local run. Every step is idempotent: a second run changes nothing."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

DEMO_STAFF_USERNAME = "staff"
DEMO_STAFF_EMAIL = "staff@resonanz.example"
DEMO_STAFF_PASSWORD = "resonanz-demo"


@dataclass(frozen=True)
class DemoStaff:
    username: str
    password: str
    created: bool


@transaction.atomic
def demo_staff_ensure() -> DemoStaff:
    """A superuser for the admin; an existing one is left exactly as it is."""
    user_model = get_user_model()
    if user_model.objects.filter(username=DEMO_STAFF_USERNAME).exists():
        return DemoStaff(DEMO_STAFF_USERNAME, DEMO_STAFF_PASSWORD, created=False)
    user_model.objects.create_superuser(
        username=DEMO_STAFF_USERNAME, email=DEMO_STAFF_EMAIL, password=DEMO_STAFF_PASSWORD
    )
    return DemoStaff(DEMO_STAFF_USERNAME, DEMO_STAFF_PASSWORD, created=True)
