"""A person's copy of everything (Art. 15 and 20 GDPR): one ZIP with the machine-readable
`resonanz-export.json` (versioned, described by the JSON Schema committed in the app's
folder and shipped in the ZIP) and a readable `summary.html`."""

import json
import logging
import re
import zipfile
from datetime import timedelta
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

import jsonschema
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime

from apps.privacy.models import DataRequest
from apps.privacy.registry import privacy_parts
from apps.privacy.selectors import ExchangeReceipt, exchange_receipts
from apps.privacy.services.data_requests import (
    data_request_claim,
    data_request_fail,
    data_request_finish,
)
from apps.profiles.models import Profile

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).parent.parent / "export_schema.json"
JSON_NAME = "resonanz-export.json"
SUMMARY_NAME = "summary.html"
SCHEMA_NAME = "export_schema.json"
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@cache
def export_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def export_schema_validate(document: dict) -> None:
    """Raises jsonschema.ValidationError when the document does not match its schema."""
    jsonschema.Draft202012Validator(export_schema()).validate(document)


def _url(name: str, anchor: str = "") -> str:
    return f"{settings.SITE_URL}{reverse(name)}{anchor}"


def _exchange_receipt(receipt: ExchangeReceipt) -> dict:
    play = receipt.participation
    purposes = receipt.purposes
    return {
        "campaign": play.campaign.slug,
        "campaign_title": play.campaign.title,
        "completed_at": play.completed_at,
        "answers_kept": receipt.decided,
        "you_told_us": [
            {
                "attribute": told.attribute.key,
                "question": told.attribute.label,
                "value_as_shown": told.value,
                "purpose": told.attribute.purpose.key,
                "purpose_title": told.attribute.purpose_title,
                "still_kept": told.still_kept,
            }
            for told in receipt.told
        ],
        "points": receipt.points,
        "change_it_at": _url("preferences:center", "#told"),
        "withdraw_it_at": [
            _url("consent:center", f"#consent-{purpose.key}") for purpose in purposes
        ],
    }


def export_document(*, profile: Profile) -> dict:
    """Every app's part, plus the exchange receipts, as plain JSON checked against the schema.
    Labels and wording are in the active language; call it in the customer's."""
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "generated_at": timezone.now(),
        "language": profile.locale,
        "controller": settings.CONSENT_CONTROLLER,
        "subject": {"public_id": profile.public_id},
    }
    for part in privacy_parts():
        document[part.label] = part.export(profile)
    document["exchange_receipts"] = [
        _exchange_receipt(receipt) for receipt in exchange_receipts(profile=profile)
    ]
    document = json.loads(json.dumps(document, cls=DjangoJSONEncoder))
    export_schema_validate(document)
    return document


def _readable(value: Any, zone) -> Any:
    """The document with its timestamps as datetimes in the customer's zone, for the summary's
    date filters."""
    if isinstance(value, dict):
        return {key: _readable(item, zone) for key, item in value.items()}
    if isinstance(value, list):
        return [_readable(item, zone) for item in value]
    if isinstance(value, str) and ISO_DATETIME.match(value):
        moment = parse_datetime(value)
        return timezone.localtime(moment, zone) if moment else value
    return value


def export_archive(*, document: dict, profile: Profile) -> bytes:
    summary = render_to_string(
        "privacy/export-summary.html",
        {"data": _readable(document, profile.zone), "brand_name": settings.BRAND_NAME},
    )
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JSON_NAME, json.dumps(document, ensure_ascii=False, indent=2))
        archive.writestr(SUMMARY_NAME, summary)
        archive.writestr(SCHEMA_NAME, SCHEMA_PATH.read_text(encoding="utf-8"))
    return buffer.getvalue()


def data_request_export_build(*, data_request_id: int) -> DataRequest | None:
    """Build the ZIP of a waiting export request, once; the customer is e-mailed by a relayed
    handler of `data_request.completed`. A failure is recorded on the request (the desk shows
    it and retries) rather than raised into whoever started the job."""
    data_request = data_request_claim(data_request_id=data_request_id, kind=DataRequest.Kind.EXPORT)
    if data_request is None:
        return None
    profile = data_request.profile
    try:
        with translation.override(profile.locale):
            archive = export_archive(document=export_document(profile=profile), profile=profile)
    except Exception as error:
        logger.exception("Export %s failed.", data_request.pk)
        return data_request_fail(
            data_request=data_request, error=f"{type(error).__name__}: {error}"
        )
    with transaction.atomic():
        # Under the profile's row lock, which an erasure takes when it begins: either the
        # erasure starts after this and deletes the file, or this sees it and keeps nothing.
        locked = Profile.objects.select_for_update().get(pk=profile.pk)
        if locked.erased_at is not None:
            return data_request_fail(
                data_request=data_request, error="The person is being erased; nothing kept."
            )
        data_request.file.save("export.zip", ContentFile(archive), save=False)
        return data_request_finish(data_request=data_request, file=data_request.file.name)


def export_files_forget_expired() -> int:
    """Delete export files once their link has expired; the request stays as proof."""
    expired = DataRequest.objects.filter(
        kind=DataRequest.Kind.EXPORT,
        completed_at__lt=timezone.now() - timedelta(seconds=settings.PRIVACY_EXPORT_MAX_AGE),
    ).exclude(file="")
    forgotten = 0
    for data_request in expired.iterator():
        name = data_request.file.name
        if DataRequest.objects.filter(pk=data_request.pk, file=name).update(file=""):
            data_request.file.storage.delete(name)
            forgotten += 1
    return forgotten
