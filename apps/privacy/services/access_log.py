from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser

from apps.privacy.models import AccessLog
from apps.profiles.models import Profile


def access_log_record(
    *,
    profiles: Iterable[Profile],
    data_category: str,
    staff_user: AbstractBaseUser | None = None,
    partner_name: str = "",
    purpose_key: str = "",
    purpose_keys: Iterable[str] = (),
    action: str = AccessLog.Action.VIEW,
    reason: str = "",
) -> list[AccessLog]:
    """Record that staff or a partner read these people's data. Exactly one actor is given.
    A read under several purposes gives a row per purpose. One INSERT: it needs no
    transaction of its own."""
    if (staff_user is None) == (not partner_name):
        raise ValueError("Give exactly one actor: staff_user or partner_name.")
    actor_kind = AccessLog.ActorKind.STAFF if staff_user else AccessLog.ActorKind.PARTNER
    purposes = list(purpose_keys) or [purpose_key]
    return AccessLog.objects.bulk_create(
        AccessLog(
            profile=profile,
            actor_kind=actor_kind,
            staff_user=staff_user,
            partner_name=partner_name,
            data_category=data_category,
            purpose_key=purpose,
            action=action,
            reason=reason[:300],
        )
        for profile in profiles
        for purpose in purposes
    )
