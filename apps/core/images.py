"""Customer-facing images: checked, re-encoded without metadata, resized to fixed sizes."""

from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from apps.core.exceptions import ApplicationError

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def image_renditions(
    upload: UploadedFile, sizes: dict[str, int | tuple[int, int]]
) -> dict[str, ContentFile]:
    """One WebP per named size (a side for squares, or width and height), cropped to fit, or
    an ApplicationError that says what is wrong.

    Re-encoding from pixels drops EXIF (camera, location) and anything hidden in the file.
    """
    if upload.size > MAX_UPLOAD_BYTES:
        raise ApplicationError(
            _("The image is too large: at most %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // 2**20}
        )
    try:
        with Image.open(upload) as probe:
            probe.verify()
        upload.seek(0)
        image = Image.open(upload)
        if image.format not in ALLOWED_FORMATS:
            raise ApplicationError(_("Upload a JPEG, PNG, WebP or GIF image."))
        if image.width * image.height > MAX_PIXELS:
            raise ApplicationError(_("The image has too many pixels."))
        image = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError):
        raise ApplicationError(_("This file is not an image we can read.")) from None
    renditions = {}
    for name, size in sizes.items():
        box = size if isinstance(size, tuple) else (size, size)
        fitted = ImageOps.fit(image, box, Image.Resampling.LANCZOS)
        buffer = BytesIO()
        fitted.save(buffer, format="WEBP", quality=82)
        renditions[name] = ContentFile(buffer.getvalue(), name=f"{name}.webp")
    return renditions
