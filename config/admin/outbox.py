"""The outbox's admin page as registered: core's, plus what core may not import. The event's
page shows its payload and writes an access-log entry for every profile the payload names;
a replay is recorded in the audit trail."""

import uuid

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from apps.audit.admin_mixins import AccessLoggedAdminMixin
from apps.audit.models import ConfigChange
from apps.audit.services import config_change_record
from apps.core.admin import OutboxEventAdmin
from apps.core.models import OutboxEvent
from apps.profiles.models import Identifier, Profile

# Payload keys that name a profile by its public id (profile.merged names two).
PROFILE_KEYS = ("profile", "merged")


def _public_ids(payload: dict) -> set[uuid.UUID]:
    found = set()
    for key in PROFILE_KEYS:
        try:
            found.add(uuid.UUID(str(payload.get(key))))
        except ValueError:
            continue
    return found


def outbox_event_profiles(events: list[OutboxEvent]) -> list[Profile]:
    """The profiles the events' payloads name: by public id, or by the e-mail address a
    double opt-in carries."""
    public_ids: set[uuid.UUID] = set()
    emails: set[str] = set()
    for event in events:
        payload = event.payload if isinstance(event.payload, dict) else {}
        public_ids |= _public_ids(payload)
        if isinstance(payload.get("email"), str):
            emails.add(payload["email"])
    by_id = Profile.objects.filter(public_id__in=public_ids).values_list("pk", flat=True)
    by_email = Identifier.objects.filter(
        kind=Identifier.Kind.EMAIL, namespace="", value__in=emails
    ).values_list("profile_id", flat=True)
    return [Profile(pk=pk) for pk in {*by_id, *by_email}]


class OutboxEventLoggedAdmin(AccessLoggedAdminMixin, OutboxEventAdmin):
    access_log_data_category = "outbox_payload"
    access_log_profile_attribute = ""
    payload_visible = True

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        # The list shows no payload, so it reads no one's data: skip the mixin's list logging.
        return super(AccessLoggedAdminMixin, self).changelist_view(request, extra_context)

    def _log(self, request: HttpRequest, objects: list[OutboxEvent], reason: str = "") -> None:
        super()._log(request, outbox_event_profiles(objects), reason)

    def replayed_record(self, request: HttpRequest, events: list[OutboxEvent]) -> None:
        super().replayed_record(request, events)
        for event in events:
            config_change_record(
                staff_user=request.user,
                obj=event,
                action=ConfigChange.Action.CHANGED,
                before={"state": OutboxEvent.State.DEAD, "relay_attempts": event.relay_attempts},
                after={"state": OutboxEvent.State.PENDING, "relay_attempts": 0},
            )


def outbox_admin_wire(site: admin.AdminSite) -> None:
    site.unregister(OutboxEvent)
    site.register(OutboxEvent, OutboxEventLoggedAdmin)
