"""The demo brand's shop (/demo/shop/): a small page of another site that embeds live demo
campaigns the way a brand's web team would, and lists what the frames tell it."""

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apps.campaigns.demo import DAILY_QUESTION, PERSONALITY, TRIVIA
from apps.core.embed_script import EMBED_SCRIPT, embed_script_src, resonanz_origin
from apps.core.storage import static_integrity
from apps.partners.demo import demo_shop_origin, demo_shop_seeded

# Inline, in a popup, and behind a button: one demo campaign each.
INLINE_CAMPAIGN = PERSONALITY["slug"]
POPUP_CAMPAIGN = DAILY_QUESTION["slug"]
BUTTON_CAMPAIGN = TRIVIA["slug"]
POPUP_DELAY_SECONDS = 5


@dataclass(frozen=True)
class Product:
    name: str
    note: Promise
    price: Decimal


PRODUCTS = [
    Product("Hausmischung", _("Chocolate and hazelnut, for every day"), Decimal("8.90")),
    Product("Espresso Forte", _("Dark roast with a thick crema"), Decimal("10.50")),
    Product("Sidamo", _("Ethiopian single origin, bright and floral"), Decimal("12.90")),
]


def demo_shop_available() -> bool:
    return settings.DEBUG or demo_shop_seeded()


def demo_shop_elsewhere(host: str) -> str | None:
    """The shop's origin when the page was asked for under another host (ours): it must be
    opened there to be another site. None when it is there, or cannot be."""
    shop = demo_shop_origin()
    if shop is None or urlsplit(shop).netloc == host:
        return None
    return shop


def demo_shop_context(*, shop_origin: str) -> dict:
    return {
        "products": PRODUCTS,
        "script_src": embed_script_src(),
        "script_integrity": static_integrity(EMBED_SCRIPT),
        "resonanz_origin": resonanz_origin(),
        "shop_origin": shop_origin,
        "inline_campaign": INLINE_CAMPAIGN,
        "popup_campaign": POPUP_CAMPAIGN,
        "button_campaign": BUTTON_CAMPAIGN,
        "popup_delay": POPUP_DELAY_SECONDS,
    }
