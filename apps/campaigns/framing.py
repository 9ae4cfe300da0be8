"""What the player tells a brand's page that frames it, beyond what every page shows.

The start is a POST answered by a redirect, so the question page that follows cannot see it:
the session carries it across, only inside a frame, and the first question shown reads it once.
"""

from django.http import HttpRequest

from apps.core.embedding import embed_of

PLAY_STARTED_SESSION_KEY = "embed.started"


def play_started_remember(request: HttpRequest, *, campaign_slug: str) -> None:
    if embed_of(request):
        request.session[PLAY_STARTED_SESSION_KEY] = campaign_slug


def play_started_announce(request: HttpRequest, *, campaign_slug: str) -> bool:
    """Whether this question page is the first one after a start in a frame (once)."""
    if not embed_of(request) or PLAY_STARTED_SESSION_KEY not in request.session:
        return False
    return request.session.pop(PLAY_STARTED_SESSION_KEY) == campaign_slug
