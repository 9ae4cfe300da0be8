"""Pages as a brand's frame shows them, for tests that need no real /embed/ address.

`framed` puts a stand-in right after the partners' frame middleware (which sets
`request.embed`, None outside /embed/) that frames every request by SHOP_ORIGIN. Tests import
the fixture through their folder's conftest.
"""

import pytest

from apps.core.embedding import EmbedContext

SHOP_ORIGIN = "https://shop.example"
# The partners middleware sets `request.embed` (None outside /embed/): the stand-in comes after.
EMBED_FRAME_MIDDLEWARE = "apps.partners.middleware.EmbedFrameMiddleware"


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
        middleware.index(EMBED_FRAME_MIDDLEWARE) + 1,
        f"{__name__}.{FramedByShopMiddleware.__name__}",
    )
    settings.MIDDLEWARE = middleware
    return EmbedContext(host_origin=SHOP_ORIGIN)


@pytest.fixture
def framed(settings) -> EmbedContext:
    return frame_every_request(settings)
