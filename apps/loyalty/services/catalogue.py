import csv
import io
import uuid

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.exceptions import ApplicationError
from apps.core.images import image_renditions
from apps.loyalty.models import Reward, RewardCode

REWARD_IMAGE_SIZES = {"image": 800, "thumbnail": 200}
MAX_CODES_PER_UPLOAD = 100_000


@transaction.atomic
def reward_save(*, reward: Reward, image: UploadedFile | None = None) -> Reward:
    """Create or change a reward; an uploaded image becomes two clean, fixed-size renditions."""
    reward.full_clean(exclude=["image", "thumbnail"])
    if image is not None:
        renditions = image_renditions(image, REWARD_IMAGE_SIZES)
        stem = uuid.uuid4().hex
        for field, content in renditions.items():
            getattr(reward, field).save(f"{stem}-{content.name}", content, save=False)
    reward.save()
    return reward


@transaction.atomic
def reward_codes_import(*, reward: Reward, upload: UploadedFile) -> int:
    """Add the codes of a CSV (first column, one per row) to the reward's pool, all or none.
    A code that appears twice, in the file or already in the pool, refuses the whole file."""
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApplicationError(_("The file must be UTF-8 text.")) from None
    codes = [row[0].strip() for row in csv.reader(io.StringIO(text)) if row and row[0].strip()]
    if not codes:
        raise ApplicationError(_("The file contains no codes."))
    if len(codes) > MAX_CODES_PER_UPLOAD:
        raise ApplicationError(_("At most %(max)s codes per file.") % {"max": MAX_CODES_PER_UPLOAD})
    if any(len(code) > 100 for code in codes):
        raise ApplicationError(_("A code may have at most 100 characters."))
    seen: set[str] = set()
    repeated = {code for code in codes if code in seen or seen.add(code)}
    existing = set(
        RewardCode.objects.filter(reward=reward, code__in=codes).values_list("code", flat=True)
    )
    duplicates = sorted(repeated | existing)
    if duplicates:
        raise ApplicationError(
            _("Duplicate codes, nothing was imported: %(codes)s")
            % {"codes": ", ".join(duplicates[:10]) + (" …" if len(duplicates) > 10 else "")}
        )
    RewardCode.objects.bulk_create(RewardCode(reward=reward, code=code) for code in codes)
    return len(codes)
