"""The middleware ceiling: the durable-write ceiling's views behind the project's own
settings and MIDDLEWARE, so each web benchmark shows what the stack costs before any of
Resonanz's own work begins ("middleware + one durable row").

`write/` is the floor's plain view (a POST the CSRF check passes, as an answer's does);
`api/write/` the DRF floor's view, under /api/ as the partner API is, without authentication;
`""` answers gunicorn's readiness probe. Everything the stack does only when asked (the
session, the profile) stays unasked, as these views never use it."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.conf import settings
from django.core.wsgi import get_wsgi_application

settings.ROOT_URLCONF = __name__
application = get_wsgi_application()

from django.db import connection  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework.parsers import JSONParser  # noqa: E402
from rest_framework.renderers import JSONRenderer  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

from tests.bench.targets import CEILING_TABLE  # noqa: E402


def _write_one_row() -> None:
    with connection.cursor() as cursor:
        # Autocommit: the INSERT is its own transaction, flushed to disk before the answer.
        cursor.execute(f"INSERT INTO {CEILING_TABLE} (written_at) VALUES (now())")


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def write_one(request: HttpRequest) -> HttpResponse:
    _write_one_row()
    return HttpResponse("ok")


class BareApiWrite(APIView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = []
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _write_one_row()

    def get(self, request):
        return Response({"ok": True})

    def post(self, request):
        return Response({"ok": True, "received": len(request.data)}, status=201)


urlpatterns = [
    path("", bare),
    path("write/", write_one),
    path("api/write/", BareApiWrite.as_view()),
]
