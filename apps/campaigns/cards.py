"""Share cards: a PNG of a result, in the campaign's colours. No personal data goes in."""

import textwrap
from functools import lru_cache
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

CARD_SIZE = (1200, 630)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


@lru_cache(maxsize=256)
def share_card_png(*, headline: str, campaign_title: str, brand: str, colour: str) -> bytes:
    """The same inputs always draw the same card, so each process renders it once."""
    image = Image.new("RGB", CARD_SIZE, _rgb(colour))
    draw = ImageDraw.Draw(image)
    big, small = ImageFont.load_default(size=72), ImageFont.load_default(size=36)
    draw.text((80, 80), campaign_title, font=small, fill="white")
    y = 200
    for line in textwrap.wrap(headline, width=26)[:3]:
        draw.text((80, y), line, font=big, fill="white")
        y += 90
    draw.text((80, CARD_SIZE[1] - 100), brand, font=small, fill="white")
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
