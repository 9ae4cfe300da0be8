"""Pictures staff upload for campaigns, answers and outcomes."""

import os
import uuid

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from apps.campaigns.models import (
    Campaign,
    Option,
    Outcome,
)
from apps.campaigns.services.touch import campaign_touch, campaigns_changed
from apps.core.images import image_renditions


def _store_image(instance, field: str, upload: UploadedFile, size: int | tuple[int, int]):
    """Re-encode an upload without metadata at a fixed size and keep it under a fresh name,
    so a cached old picture is never shown for the new one."""
    rendition = image_renditions(upload, {field: size})[field]
    getattr(instance, field).save(f"{uuid.uuid4().hex}-{rendition.name}", rendition, save=False)
    instance.save(update_fields=[field])
    return instance


def image_copy(instance, field: str) -> None:
    """Give a row being copied its own file of the picture (saved with the row), so changing
    or cleaning up one campaign's pictures never touches the other's. A picture whose file is
    gone is dropped rather than copied as a broken link."""
    image = getattr(instance, field)
    if not image:
        return
    try:
        with image.open("rb") as stored:
            content = stored.read()
    except FileNotFoundError:
        setattr(instance, field, "")
        return
    name = os.path.basename(image.name).split("-", 1)[-1]
    image.save(f"{uuid.uuid4().hex}-{name}", ContentFile(content), save=False)


@transaction.atomic
def option_set_image(*, option: Option, upload: UploadedFile) -> Option:
    """An answer's picture for image-choice questions."""
    _store_image(option, "image", upload, 400)
    campaign_touch(campaign_id=option.question.campaign_id)
    return option


@transaction.atomic
def campaign_set_hero_image(*, campaign: Campaign, upload: UploadedFile) -> Campaign:
    """The wide picture at the top of the campaign's intro, 2:1."""
    _store_image(campaign, "hero_image", upload, (1200, 600))
    campaigns_changed()
    return campaign


@transaction.atomic
def outcome_set_image(*, outcome: Outcome, upload: UploadedFile) -> Outcome:
    _store_image(outcome, "image", upload, 600)
    campaign_touch(campaign_id=outcome.campaign_id)
    return outcome
