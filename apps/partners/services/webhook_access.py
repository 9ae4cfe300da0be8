"""A webhook that carries a customer's data is a read of it by the partner: it is written to
the access log, as the partner API's reads are, under the same names, so the customer's
"who looked at your data" lists it.

One entry per delivery, made with its first attempt, when the data first leaves. Retries
send the same message again and add none; a replay is a new delivery and sending it again
is a new disclosure, so it adds one. Withdrawals and erasures carry nothing but the fact
partners must act on (and after an erasure there is no one to log for).
"""

from apps.audit.models import AccessLog
from apps.audit.services import access_log_record
from apps.consent.events import ConsentGranted
from apps.loyalty.events import PointsChanged, TierChanged
from apps.partners.models import WebhookDelivery
from apps.preferences.events import PreferenceDeclared, PreferenceDeleted
from apps.profiles.models import Profile

# Event type: the data category the partner API logs the same data under.
WEBHOOK_DATA_CATEGORIES = {
    PreferenceDeclared.name: "preferences",
    PreferenceDeleted.name: "preferences",
    ConsentGranted.name: "consents",
    TierChanged.name: "loyalty",
    PointsChanged.name: "loyalty",
}


def webhook_delivery_access_log(*, delivery: WebhookDelivery) -> list[AccessLog]:
    """Log what this delivery tells its partner about its customer; nothing for a message
    that carries no personal data or names no profile we still have."""
    category = WEBHOOK_DATA_CATEGORIES.get(delivery.event_type)
    data = delivery.payload.get("data") if isinstance(delivery.payload, dict) else None
    if category is None or not isinstance(data, dict) or not data.get("profile"):
        return []
    profile = Profile.objects.filter(public_id=data["profile"]).first()
    if profile is None:
        return []
    return access_log_record(
        profiles=[profile],
        data_category=category,
        partner_name=delivery.endpoint.partner.name,
        purpose_key=str(data.get("purpose") or ""),
    )
