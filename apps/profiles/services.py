from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils import timezone

from apps.core.events import publish
from apps.profiles.models import Profile
from apps.profiles.selectors import SESSION_KEY, profile_from_session

LAST_SEEN_RESOLUTION = timedelta(minutes=15)


@transaction.atomic
def profile_create_anonymous(*, locale: str = settings.LANGUAGE_CODE) -> Profile:
    supported = {code for code, _name in settings.LANGUAGES}
    profile = Profile.objects.create(
        locale=locale if locale in supported else settings.LANGUAGE_CODE,
        last_seen_at=timezone.now(),
    )
    publish("profile.created", {"profile": str(profile.public_id), "kind": profile.kind})
    return profile


def profile_for_session(*, session: SessionBase, locale: str) -> Profile:
    """The session's profile, created on the first write a visitor makes.

    Views call this only when the visitor does something worth keeping, so crawlers and plain
    page views never create rows.
    """
    profile = profile_from_session(session=session)
    if profile is None:
        profile = profile_create_anonymous(locale=locale)
        session[SESSION_KEY] = profile.pk
    return profile


def profile_mark_seen(*, profile: Profile) -> None:
    """Refresh last_seen_at, at most once per LAST_SEEN_RESOLUTION to spare the write."""
    now = timezone.now()
    if profile.last_seen_at and now - profile.last_seen_at < LAST_SEEN_RESOLUTION:
        return
    Profile.objects.filter(pk=profile.pk).update(last_seen_at=now)
    profile.last_seen_at = now
