"""Work that follows a consent event once it has committed (run by the outbox relay)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from apps.consent.services import double_opt_in_token
from apps.core.events import subscribe_relayed
from apps.core.models import OutboxEvent


@subscribe_relayed("consent.double_opt_in_requested")
def send_double_opt_in_email(event: OutboxEvent) -> None:
    # Sent from the relay, so an e-mail outage leaves the event unpublished for the sweep.
    payload = event.payload
    with translation.override(payload["language"]):
        context = {
            "confirm_url": settings.SITE_URL
            + reverse(
                "consent:confirm",
                kwargs={"token": double_opt_in_token(receipt_id=payload["receipt_id"])},
            ),
            "brand_name": settings.BRAND_NAME,
            "valid_hours": settings.CONSENT_DOUBLE_OPT_IN_MAX_AGE // 3600,
        }
        subject = render_to_string("consent/email/double-opt-in-subject.txt", context).strip()
        body = render_to_string("consent/email/double-opt-in.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [payload["email"]])
