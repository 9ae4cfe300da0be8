from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from apps.core.embed_script import resonanz_origin
from apps.demo.shop import demo_shop_available, demo_shop_context, demo_shop_elsewhere


@require_GET
def demo_shop(request: HttpRequest) -> HttpResponse:
    """The demo brand's shop, with our campaigns embedded; only in demo mode or once seeded."""
    if not demo_shop_available():
        raise Http404
    elsewhere = demo_shop_elsewhere(request.get_host())
    if elsewhere:
        return redirect(f"{elsewhere}{request.get_full_path()}")
    shop_origin = f"{request.scheme}://{request.get_host()}"
    response = render(request, "demo/shop.html", demo_shop_context(shop_origin=shop_origin))
    # As a brand's strict policy would: our script and our frames, nothing else from outside.
    origin = resonanz_origin()
    response._csp_update = {"script-src": [origin], "frame-src": [origin]}
    return response
