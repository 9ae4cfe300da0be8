from apps.campaigns.services import participations_merge_profiles, participations_points_release
from apps.core.events import subscribe
from apps.core.models import OutboxEvent
from apps.profiles.events import ProfileIdentified, ProfileMerged
from apps.profiles.models import Profile
from apps.profiles.selectors import profiles_of_merge


# Registered before loyalty's handler (INSTALLED_APPS order): duplicate plays give their
# points back before the merged balance moves to the member.
@subscribe(ProfileMerged)
def merge_participations(event: OutboxEvent) -> None:
    source, target = profiles_of_merge(payload=event.payload)
    participations_merge_profiles(source=source, target=target)
    participations_points_release(profile=target)


# A visitor who signs in with a new identifier becomes the member without a merge.
@subscribe(ProfileIdentified)
def release_points_on_sign_in(event: OutboxEvent) -> None:
    profile = Profile.objects.filter(public_id=event.payload["profile"]).first()
    if profile is not None:
        participations_points_release(profile=profile)
