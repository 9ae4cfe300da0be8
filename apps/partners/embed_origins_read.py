"""The sites allowed to frame our pages, as the campaign page's embed panel lists them."""


def embed_origins_allowed() -> list[str]:
    """Every origin some partner allows to embed campaigns ("https://shop.example"), sorted.
    Until partners can name their sites, there are none."""
    return []
