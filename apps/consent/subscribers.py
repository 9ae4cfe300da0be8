"""Work that follows events: consent's part of a merge in the transaction, e-mail after it."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from apps.consent.events import ConsentDoubleOptInRequested
from apps.consent.services import consent_merge_profiles, double_opt_in_token
from apps.core.events import subscribe, subscribe_relayed
from apps.core.models import OutboxEvent
from apps.profiles.events import ProfileMerged
from apps.profiles.selectors import profiles_of_merge


@subscribe_relayed(ConsentDoubleOptInRequested, after_commit=True)
def send_double_opt_in_email(event: OutboxEvent) -> None:
    # Sent from the relay, so an e-mail outage leaves the event unpublished for the sweep.
    payload = event.payload
    with translation.override(payload["language"]):
        context = {
            "confirm_url": settings.SITE_URL
            + reverse(
                "consent:confirm",
                kwargs={
                    "token": payload.get("link_token")
                    or double_opt_in_token(receipt_id=payload["receipt_id"])
                },
            ),
            "brand_name": settings.BRAND_NAME,
            "valid_hours": settings.CONSENT_DOUBLE_OPT_IN_MAX_AGE // 3600,
        }
        subject = render_to_string("consent/email/double-opt-in-subject.txt", context).strip()
        body = render_to_string("consent/email/double-opt-in.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [payload["email"]])


@subscribe(ProfileMerged)
def merge_consent(event: OutboxEvent) -> None:
    source, target = profiles_of_merge(payload=event.payload)
    consent_merge_profiles(source=source, target=target)
