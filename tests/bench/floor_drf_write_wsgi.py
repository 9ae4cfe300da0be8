"""The API's durable-write ceiling: the bare DRF view of `floor_drf_wsgi` (no middleware, no
authentication) that also writes one row to PostgreSQL and commits it before answering, as
the partner API must on every read of personal data (its access-log row) and every event."""

import dj_database_url
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.urls import path

from config.env import env_str
from tests.bench.http_throughput import CEILING_TABLE

settings.configure(
    DEBUG=False,
    SECRET_KEY="floor-benchmark-only",
    ALLOWED_HOSTS=["127.0.0.1"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework"],
    DATABASES={"default": dj_database_url.parse(env_str("DATABASE_URL"), conn_max_age=600)},
    REST_FRAMEWORK={
        "DEFAULT_AUTHENTICATION_CLASSES": [],
        "DEFAULT_PERMISSION_CLASSES": [],
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
        "UNAUTHENTICATED_USER": None,
    },
)

application = get_wsgi_application()

from django.db import connection  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402


def _write_one() -> None:
    with connection.cursor() as cursor:
        # Autocommit: the INSERT is its own transaction, flushed to disk before the answer.
        cursor.execute(f"INSERT INTO {CEILING_TABLE} (written_at) VALUES (now())")


class BareWrite(APIView):
    def get(self, request):
        _write_one()
        return Response({"ok": True})

    def post(self, request):
        _write_one()
        return Response({"ok": True, "received": len(request.data)}, status=201)


urlpatterns = [path("", BareWrite.as_view())]
