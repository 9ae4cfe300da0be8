from django.db.models import QuerySet

from apps.audit.models import AccessLog
from apps.profiles.models import Profile
from apps.profiles.selectors import profile_and_merged_ids


def access_log_for_profile(*, profile: Profile) -> QuerySet[AccessLog]:
    return AccessLog.objects.filter(
        profile__in=profile_and_merged_ids(profile=profile)
    ).select_related("staff_user")
