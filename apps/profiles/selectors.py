from django.contrib.sessions.backends.base import SessionBase

from apps.profiles.models import Profile

SESSION_KEY = "resonanz_profile_id"


def profile_from_session(*, session: SessionBase) -> Profile | None:
    """The profile this browser session belongs to, or None. Never creates a row."""
    profile_id = session.get(SESSION_KEY)
    if profile_id is None:
        return None
    return Profile.objects.filter(pk=profile_id).first()
