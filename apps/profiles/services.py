from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.core.events import publish
from apps.profiles.models import Profile

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


def profile_ensure(*, profile: Profile | None, locale: str) -> Profile:
    """The visitor's profile, created on the first write they make.

    Services call this only when the visitor does something worth keeping, so crawlers and
    plain page views never create rows. The view remembers the result in the session once the
    write has succeeded (`apps.profiles.sessions.session_remember_profile`).
    """
    return profile if profile else profile_create_anonymous(locale=locale)


def profile_mark_seen(*, profile: Profile) -> None:
    """Refresh last_seen_at, at most once per LAST_SEEN_RESOLUTION to spare the write."""
    now = timezone.now()
    if profile.last_seen_at and now - profile.last_seen_at < LAST_SEEN_RESOLUTION:
        return
    Profile.objects.filter(pk=profile.pk).update(last_seen_at=now)
    profile.last_seen_at = now
