"""Pages framed by a brand's own site: what a request under `/embed/` knows about its frame.

The partners app owns the allowed origins and the middleware that sets `request.embed`; the
apps below it (campaigns, consent, preferences, loyalty) only read it, through
`embed_of(request)`, and so never import upwards. Outside `/embed/` it is None.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.http import HttpRequest

EMBED_PREFIX = "/embed/"
# The embedding page's origin, remembered for the visit once the brand allowed it.
EMBED_HOST_SESSION_KEY = "embed.host"
# CSS custom properties the host page overrides (validated), remembered for the visit.
EMBED_THEME_SESSION_KEY = "embed.theme"
COLLECTION_POINT_PREFIX = "embed"


@dataclass(frozen=True)
class EmbedContext:
    """This request belongs to a page framed by a brand's site."""

    # The framing page's origin ("https://shop.example"), one the brand allowed; None when
    # it is not known (a page opened under /embed/ directly).
    host_origin: str | None
    # CSS custom property name (without "--") to value, each checked before it got here.
    theme: Mapping[str, str] = field(default_factory=dict)

    def collection_point(self, campaign_slug: str | None = None) -> str:
        """The consent collection point of a decision taken in this frame: the embedding
        site (and the campaign it showed), "embed:<origin>" or "embed:<origin>#<slug>"."""
        origin = self.host_origin or "unknown"
        point = f"{COLLECTION_POINT_PREFIX}:{origin}"
        return f"{point}#{campaign_slug}" if campaign_slug else point


def embed_of(request: HttpRequest) -> EmbedContext | None:
    return getattr(request, "embed", None)
