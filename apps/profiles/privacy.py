"""The profile's part of a data-subject export and erasure (see apps.privacy.registry)."""

import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.core.models import OutboxEvent
from apps.core.services import outbox_events_redact
from apps.profiles.models import DEFAULT_TIME_ZONE, Identifier, Profile, SignInLink
from apps.profiles.selectors import profile_and_merged_ids

# The identity goes last: every other part finds the person by it until then.
ERASE_ORDER = 100


def export(profile: Profile) -> dict:
    merged = Profile.objects.filter(merged_into=profile).order_by("merged_at", "pk")
    identifiers = Identifier.objects.filter(profile__in=profile_and_merged_ids(profile=profile))
    return {
        "profile": {
            "public_id": profile.public_id,
            "kind": profile.kind,
            "language": profile.locale,
            "time_zone": profile.time_zone,
            "created_at": profile.created_at,
            "last_seen_at": profile.last_seen_at,
            "merged_profiles": [
                {
                    "public_id": other.public_id,
                    "created_at": other.created_at,
                    "merged_at": other.merged_at,
                }
                for other in merged
            ],
        },
        "identifiers": [
            {
                "kind": identifier.kind,
                "issued_by": identifier.namespace,
                "value": identifier.value,
                "verified_at": identifier.verified_at,
                "created_at": identifier.created_at,
            }
            for identifier in identifiers.order_by("created_at", "pk")
        ],
    }


@transaction.atomic
def erase(profile: Profile) -> dict[str, int]:
    """Tombstone the person: identifiers and pending sign-in links go, the row stays (the
    evidence kept for proof and accounting points at it) with a new random public id, no
    language or time zone of theirs, and kind "erased". Profiles merged into it get new ids
    too, so no id a partner or an old e-mail knew leads to any of them."""
    ids = list(profile_and_merged_ids(profile=profile).values_list("pk", flat=True))
    identifiers = Identifier.objects.filter(profile__in=ids)
    addresses = list(identifiers.filter(kind=Identifier.Kind.EMAIL).values_list("value", flat=True))
    links, _kinds = SignInLink.objects.filter(Q(profile__in=ids) | Q(email__in=addresses)).delete()
    removed, _kinds = identifiers.delete()
    # Recorded events name the person by the ids that are about to be replaced: without
    # them, nothing leads from an event back to the tombstone.
    old_ids = [
        str(pk) for pk in Profile.objects.filter(pk__in=ids).values_list("public_id", flat=True)
    ]
    events = outbox_events_redact(
        events=OutboxEvent.objects.filter(
            Q(payload__profile__in=old_ids)
            | Q(payload__source__in=old_ids)
            | Q(payload__target__in=old_ids)
        ),
        drop=("profile", "source", "target", "email", "reason"),
    )
    now = timezone.now()
    merged = list(Profile.objects.select_for_update().filter(merged_into=profile.pk))
    for other in merged:
        other.public_id, other.erased_at = uuid.uuid4(), other.erased_at or now
        other.save(update_fields=["public_id", "erased_at", "updated_at"])
    tombstone = Profile.objects.select_for_update().get(pk=profile.pk)
    tombstone.public_id = uuid.uuid4()
    tombstone.kind = Profile.Kind.ERASED
    tombstone.locale = settings.LANGUAGE_CODE
    tombstone.time_zone = DEFAULT_TIME_ZONE
    tombstone.last_seen_at = None
    tombstone.erased_at = tombstone.erased_at or now
    tombstone.session_generation += 1
    tombstone.save()
    return {
        "identifiers": removed,
        "sign_in_links": links,
        "events_redacted": events,
        "profiles_tombstoned": 1 + len(merged),
    }
