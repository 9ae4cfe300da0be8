"""Work that follows an identity event once it has committed (run by the outbox relay)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from apps.core.events import subscribe_relayed
from apps.core.models import OutboxEvent
from apps.profiles.events import ProfileSignInRequested
from apps.profiles.models import SignInLink
from apps.profiles.services import sign_in_token


@subscribe_relayed(ProfileSignInRequested, after_commit=True)
def send_sign_in_link(event: OutboxEvent) -> None:
    # Sent from the relay: if mail or the broker is down, the event waits for the sweep. The
    # event carries no address and no token; both come from the link row, while it is fresh.
    link = SignInLink.objects.filter(public_id=event.payload["link"]).first()
    if link is None or link.used_at is not None or link.expires_at <= timezone.now():
        return
    with translation.override(link.language):
        context = {
            "sign_in_url": settings.SITE_URL
            + reverse("profiles:sign-in-link", kwargs={"token": sign_in_token(link=link)}),
            "brand_name": settings.BRAND_NAME,
            "valid_minutes": settings.SIGN_IN_LINK_MAX_AGE // 60,
        }
        subject = render_to_string("profiles/email/sign-in-subject.txt", context).strip()
        body = render_to_string("profiles/email/sign-in.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [link.email])
