import pytest
from django.contrib.auth.models import Group, User


@pytest.fixture
def staff_login(client):
    """Logs the test client in as a staff user with the given role (None: no role)."""

    def login(role: str | None, *, language: str = "de") -> User:
        user = User.objects.create_user(username=f"staff-{role or 'none'}", is_staff=True)
        if role:
            user.groups.add(Group.objects.get(name=role))
        client.force_login(user)
        client.cookies["django_language"] = language
        return user

    return login
