"""Pages as a brand's frame shows them, until the tests use real /embed/ addresses.

The partners middleware that sets `request.embed` for /embed/ arrives separately; until then
`framed` puts a stand-in right after the profile middleware that frames every request by
SHOP_ORIGIN. Tests import the fixture through their folder's conftest.
"""

import pytest

from apps.core.embedding import EmbedContext

SHOP_ORIGIN = "https://shop.example"
PROFILE_MIDDLEWARE = "apps.profiles.middleware.ProfileMiddleware"


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
        middleware.index(PROFILE_MIDDLEWARE) + 1, f"{__name__}.{FramedByShopMiddleware.__name__}"
    )
    settings.MIDDLEWARE = middleware
    return EmbedContext(host_origin=SHOP_ORIGIN)


@pytest.fixture
def framed(settings) -> EmbedContext:
    return frame_every_request(settings)
