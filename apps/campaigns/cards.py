"""Share cards: a PNG of a result, in the campaign's colours. No personal data goes in."""

import logging
import textwrap
import unicodedata
from functools import lru_cache
from io import BytesIO

from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

logger = logging.getLogger(__name__)

CARD_SIZE = (1200, 630)
MARGIN = 80
PICTURE_SIZE = 430


# Fonts with umlauts, found by file name in the system's font folders; Pillow's own font has
# plain ASCII only, so without them the card spells "ae" for "ä".
CARD_FONTS = {
    "regular": ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "NotoSans-Regular.ttf"),
    "bold": ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "NotoSans-Bold.ttf"),
}
SPELLED_OUT = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)


@lru_cache(maxsize=16)
def _font(size: int, weight: str) -> tuple[ImageFont.FreeTypeFont, bool]:
    """The font to draw with, and whether it has more than ASCII."""
    for name in CARD_FONTS[weight]:
        try:
            return ImageFont.truetype(name, size), True
        except OSError:
            continue
    return ImageFont.load_default(size=size), False


def _drawable(text: str, unicode: bool) -> str:
    if unicode:
        return text
    ascii_only = unicodedata.normalize("NFKD", text.translate(SPELLED_OUT))
    return ascii_only.encode("ascii", "ignore").decode()


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


def _lines(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Words in lines no wider than width pixels (a longer word gets a line of its own)."""
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


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
    # Beside a picture the text gets the left part of the card.
    width = CARD_SIZE[0] - 2 * MARGIN - (PICTURE_SIZE + MARGIN if picture is not None else 0)
    small, unicode = _font(36, "regular")
    campaign_title, headline, brand = (
        _drawable(text, unicode) for text in (campaign_title, headline, brand)
    )
    title = _lines(campaign_title, small, width)
    if len(title) > 1:
        title[0] = textwrap.shorten(
            campaign_title, width=len(title[0]), placeholder=" …" if unicode else " ..."
        )
    draw.text((MARGIN, MARGIN), title[0] if title else "", font=small, fill="white")
    # The largest size at which the headline fits in three lines, no word sticking out.
    for size in (76, 64, 52, 44):
        big, _unicode = _font(size, "bold")
        headline_lines = _lines(headline, big, width)
        if len(headline_lines) <= 3 and all(big.getlength(x) <= width for x in headline_lines):
            break
    y = 200
    for line in headline_lines[:3]:
        draw.text((MARGIN, y), line, font=big, fill="white")
        y += size + 16
    draw.text((MARGIN, CARD_SIZE[1] - 100), brand, font=small, fill="white")
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
