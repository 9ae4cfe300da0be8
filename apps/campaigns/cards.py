"""Share cards: a PNG of a result, in the campaign's colours. No personal data goes in."""

import logging
import textwrap
from functools import lru_cache
from io import BytesIO

from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

logger = logging.getLogger(__name__)

CARD_SIZE = (1200, 630)
MARGIN = 80
PICTURE_SIZE = 430


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _round_picture(image_name: str) -> Image.Image | None:
    """The outcome's picture cut to a circle, as the result page shows it; None when the
    file is gone or unreadable, so the card is drawn without it."""
    try:
        with default_storage.open(image_name) as file, Image.open(file) as picture:
            picture = picture.convert("RGB").resize((PICTURE_SIZE, PICTURE_SIZE))
    except (OSError, UnidentifiedImageError):
        logger.warning("Share card drawn without its picture %s.", image_name)
        return None
    mask = Image.new("L", picture.size, 0)
    ImageDraw.Draw(mask).ellipse((0, 0, PICTURE_SIZE - 1, PICTURE_SIZE - 1), fill=255)
    picture.putalpha(mask)
    return picture


@lru_cache(maxsize=256)
def share_card_png(
    *, headline: str, campaign_title: str, brand: str, colour: str, image_name: str = ""
) -> bytes:
    """The same inputs always draw the same card, so each process renders it once (a new
    picture is stored under a new name)."""
    image = Image.new("RGB", CARD_SIZE, _rgb(colour))
    draw = ImageDraw.Draw(image)
    picture = _round_picture(image_name) if image_name else None
    if picture is not None:
        top = (CARD_SIZE[1] - PICTURE_SIZE) // 2
        image.paste(picture, (CARD_SIZE[0] - MARGIN - PICTURE_SIZE, top), picture)
    # Beside a picture the headline gets the left half of the card.
    width, size = (14, 64) if picture is not None else (26, 72)
    big, small = ImageFont.load_default(size=size), ImageFont.load_default(size=36)
    title = textwrap.shorten(campaign_title, width=width * 2, placeholder=" …")
    draw.text((MARGIN, MARGIN), title, font=small, fill="white")
    y = 200
    for line in textwrap.wrap(headline, width=width)[:3]:
        draw.text((MARGIN, y), line, font=big, fill="white")
        y += size + 18
    draw.text((MARGIN, CARD_SIZE[1] - 100), brand, font=small, fill="white")
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
