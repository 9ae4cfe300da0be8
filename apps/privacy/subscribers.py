"""Work that follows a committed event (run by the outbox relay)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from apps.core.events import EVENT_DEFINITIONS, subscribe_relayed
from apps.core.models import OutboxEvent
from apps.privacy.events import DataRequestCompleted
from apps.privacy.models import DataRequest, PartnerNotice
from apps.privacy.services.data_requests import export_available_until, export_download_token
from apps.privacy.services.notices import partner_notices_record
from apps.profiles.selectors import profile_email


@subscribe_relayed(DataRequestCompleted, after_commit=True)
def send_export_ready(event: OutboxEvent) -> None:
    # From the relay, as the sign-in mail: if mail is down, the event waits for the sweep. The
    # event carries no address; it comes from the profile, while it still has one.
    data_request = (
        DataRequest.objects.select_related("profile")
        .filter(public_id=event.payload["request"], kind=DataRequest.Kind.EXPORT)
        .first()
    )
    if data_request is None or not data_request.file:
        return
    address = profile_email(profile=data_request.profile)
    if not address or data_request.profile.is_erased:
        return
    profile = data_request.profile
    with translation.override(profile.locale), timezone.override(profile.zone):
        context = {
            "download_url": settings.SITE_URL
            + reverse(
                "privacy:export-download",
                kwargs={"token": export_download_token(data_request=data_request)},
            ),
            "page_url": settings.SITE_URL + reverse("privacy:center"),
            "available_until": export_available_until(data_request=data_request),
            "brand_name": settings.BRAND_NAME,
        }
        subject = render_to_string("privacy/email/export-ready-subject.txt", context).strip()
        body = render_to_string("privacy/email/export-ready.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])


def record_partner_notices(event: OutboxEvent) -> None:
    partner_notices_record(event=event)


for _kind in PartnerNotice.Kind.values:
    subscribe_relayed(EVENT_DEFINITIONS[_kind])(record_partner_notices)
