from datetime import datetime

from django.contrib.sessions.backends.base import SessionBase
from django.db.models import Q, QuerySet

from apps.profiles.models import Identifier, Profile, SignInLink

SESSION_KEY = "resonanz_profile_id"
SESSION_GENERATION_KEY = "resonanz_session_generation"


def profile_from_session(*, session: SessionBase) -> Profile | None:
    """The profile this browser session belongs to, or None. Never creates a row.

    A session signed out everywhere, or pointing at a merged, erased or test profile, belongs
    to nobody.
    """
    profile_id = session.get(SESSION_KEY)
    if profile_id is None:
        return None
    profile = Profile.objects.filter(pk=profile_id).first()
    if profile is None or profile.is_merged or profile.is_erased or profile.is_test:
        return None
    if session.get(SESSION_GENERATION_KEY, 0) != profile.session_generation:
        return None
    return profile


def profile_and_merged_ids(*, profile: Profile) -> QuerySet[Profile]:
    """The member and the profiles merged into it: evidence stays with the profile that gave
    it, so reads of a person's consent events and history span all of them."""
    return Profile.objects.filter(Q(pk=profile.pk) | Q(merged_into=profile.pk)).values("pk")


def profile_email(*, profile: Profile | None) -> str:
    if profile is None or not profile.is_member:
        return ""
    return (
        Identifier.objects.filter(profile=profile, kind=Identifier.Kind.EMAIL)
        .order_by("-verified_at", "-id")
        .values_list("value", flat=True)
        .first()
        or ""
    )


def profile_by_identifier(*, kind: str, value: str, namespace: str = "") -> Profile | None:
    identifier = (
        Identifier.objects.select_related("profile")
        .filter(kind=kind, namespace=namespace, value=value)
        .first()
    )
    return identifier.profile if identifier else None


def profile_by_email_sha256(*, digest: str) -> Profile | None:
    identifier = (
        Identifier.objects.select_related("profile")
        .filter(kind=Identifier.Kind.EMAIL, value_sha256=digest.lower())
        .first()
    )
    return identifier.profile if identifier else None


def profiles_of_merge(*, payload: dict) -> tuple[Profile, Profile]:
    """(merged, member) of a `profile.merged` event, for the apps that move their part."""
    rows = {
        str(row.public_id): row
        for row in Profile.objects.filter(public_id__in=[payload["merged"], payload["profile"]])
    }
    return rows[payload["merged"]], rows[payload["profile"]]


def sign_in_link_used_for(*, profile: Profile, next_path: str, since: datetime) -> bool:
    """Whether this person followed a magic link that led to `next_path` since `since`: proof
    they read their mailbox just now, for steps that need it again (deleting everything)."""
    return SignInLink.objects.filter(
        profile=profile, next_path=next_path, used_at__gte=since
    ).exists()
