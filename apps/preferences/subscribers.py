from apps.core.events import subscribe
from apps.core.models import OutboxEvent
from apps.preferences.services import declarations_merge_profiles
from apps.profiles.events import ProfileMerged
from apps.profiles.selectors import profiles_of_merge


@subscribe(ProfileMerged)
def merge_declarations(event: OutboxEvent) -> None:
    source, target = profiles_of_merge(payload=event.payload)
    declarations_merge_profiles(source=source, target=target)
