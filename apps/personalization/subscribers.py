from apps.consent.events import ConsentWithdrawn
from apps.core.events import subscribe
from apps.core.models import OutboxEvent
from apps.personalization.services import segment_members_forget
from apps.profiles.models import Profile


@subscribe(ConsentWithdrawn)
def leave_stored_segments(event: OutboxEvent) -> None:
    profile = Profile.objects.filter(public_id=event.payload["profile"]).first()
    if profile is not None:
        segment_members_forget(profile=profile)
