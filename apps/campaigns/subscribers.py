from apps.campaigns.services import participations_merge_profiles
from apps.core.events import subscribe
from apps.core.models import OutboxEvent
from apps.profiles.events import ProfileMerged
from apps.profiles.selectors import profiles_of_merge


# Registered before loyalty's handler (INSTALLED_APPS order): duplicate plays give their
# points back before the merged balance moves to the member.
@subscribe(ProfileMerged)
def merge_participations(event: OutboxEvent) -> None:
    source, target = profiles_of_merge(payload=event.payload)
    participations_merge_profiles(source=source, target=target)
