"""Pictures staff upload for campaigns, answers and outcomes."""

import uuid

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from apps.campaigns.models import (
    Campaign,
    Option,
    Outcome,
)
from apps.core.images import image_renditions


def _store_image(instance, field: str, upload: UploadedFile, size: int | tuple[int, int]):
    """Re-encode an upload without metadata at a fixed size and keep it under a fresh name,
    so a cached old picture is never shown for the new one."""
    rendition = image_renditions(upload, {field: size})[field]
    getattr(instance, field).save(f"{uuid.uuid4().hex}-{rendition.name}", rendition, save=False)
    instance.save(update_fields=[field])
    return instance


@transaction.atomic
def option_set_image(*, option: Option, upload: UploadedFile) -> Option:
    """An answer's picture for image-choice questions."""
    return _store_image(option, "image", upload, 400)


@transaction.atomic
def campaign_set_hero_image(*, campaign: Campaign, upload: UploadedFile) -> Campaign:
    """The wide picture at the top of the campaign's intro, 2:1."""
    return _store_image(campaign, "hero_image", upload, (1200, 600))


@transaction.atomic
def outcome_set_image(*, outcome: Outcome, upload: UploadedFile) -> Outcome:
    return _store_image(outcome, "image", upload, 600)
