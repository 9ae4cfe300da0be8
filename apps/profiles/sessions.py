"""Which profile a browser session belongs to. HTTP state, kept out of the services."""

from django.contrib.sessions.backends.base import SessionBase

from apps.profiles.models import Profile
from apps.profiles.selectors import SESSION_KEY


def session_remember_profile(*, session: SessionBase, profile: Profile) -> None:
    """Call after the write that created or used the profile has committed."""
    if session.get(SESSION_KEY) != profile.pk:
        session.cycle_key()
        session[SESSION_KEY] = profile.pk
