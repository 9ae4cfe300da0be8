"""Pages as a brand's frame shows them, for tests of what a framed page holds.

`framed` puts a stand-in right after the partners' frame middleware that frames every request
by SHOP_ORIGIN, so a test reaches the player's pages by their usual names. The /embed/
addresses themselves, with their origins, headers and cookies, are tested in tests/partners
and the browser tests. Tests import the fixture through their folder's conftest.
"""

import pytest

from apps.core.embedding import EmbedContext

SHOP_ORIGIN = "https://shop.example"
FRAME_MIDDLEWARE = "apps.partners.middleware.EmbedFrameMiddleware"


class FramedByShopMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.embed = EmbedContext(host_origin=SHOP_ORIGIN)
        return self.get_response(request)


def frame_every_request(settings) -> EmbedContext:
    """From the next client made on, every request is framed by the shop."""
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index(FRAME_MIDDLEWARE) + 1, f"{__name__}.{FramedByShopMiddleware.__name__}"
    )
    settings.MIDDLEWARE = middleware
    return EmbedContext(host_origin=SHOP_ORIGIN)


@pytest.fixture
def framed(settings) -> EmbedContext:
    return frame_every_request(settings)
