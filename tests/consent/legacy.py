"""Consent rows as they were stored before refusals had their own action: every "no" was a
withdrawal."""

from apps.consent.models import Channel, ConsentEvent, ConsentState


def legacy_no(profile, purpose, *, collection_point: str = "preference-center") -> ConsentEvent:
    event = ConsentEvent.objects.create(
        profile=profile,
        purpose=purpose,
        purpose_version=purpose.current_version,
        action=ConsentEvent.Action.WITHDRAW,
        channel=Channel.WEB,
        collection_point=collection_point,
        language="de",
    )
    ConsentState.objects.update_or_create(
        profile=profile,
        purpose=purpose,
        defaults={
            "status": ConsentState.Status.WITHDRAWN,
            "version": purpose.current_version,
            "event": event,
        },
    )
    return event
