"""Codes in an export read as words in its summary page."""

from django import template
from django.db.models import TextChoices

from apps.audit.models import AccessLog
from apps.consent.models import Channel, ConsentEvent, ConsentState
from apps.loyalty.models import LedgerEntry, Redemption
from apps.preferences.models import DeclarationHistory, Source
from apps.privacy.models import DataRequest, PartnerNotice
from apps.profiles.models import Identifier

register = template.Library()

CHOICES: dict[str, type[TextChoices]] = {
    "access_action": AccessLog.Action,
    "channel": Channel,
    "consent_action": ConsentEvent.Action,
    "consent_status": ConsentState.Status,
    "history_action": DeclarationHistory.Action,
    "identifier": Identifier.Kind,
    "ledger_kind": LedgerEntry.Kind,
    "notice": PartnerNotice.Kind,
    "redemption_status": Redemption.Status,
    "request_channel": DataRequest.Channel,
    "request_kind": DataRequest.Kind,
    "request_status": DataRequest.Status,
    "source": Source,
}


@register.filter
def label(value: str, kind: str) -> str:
    """`{{ entry.kind|label:"ledger_kind" }}`: the code's label in the active language."""
    return str(dict(CHOICES[kind].choices).get(value, value))
