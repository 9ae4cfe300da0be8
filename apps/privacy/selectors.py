from django.db.models import QuerySet

from apps.privacy.models import AccessLog
from apps.profiles.models import Profile


def access_log_for_profile(*, profile: Profile) -> QuerySet[AccessLog]:
    return AccessLog.objects.filter(profile=profile).select_related("staff_user")
