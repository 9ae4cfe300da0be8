"""The API floor: a bare DRF view (no middleware, no authentication, no database), served by
the same gunicorn setup as the partner API.

`write/` is the API's durable-write ceiling: the same view writing one row and committing it
before it answers, as the partner API must on every read of personal data (its access-log
row) and every event."""

import dj_database_url
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import path

from config.env import env_str
from tests.bench.targets import CEILING_TABLE

settings.configure(
    DEBUG=False,
    SECRET_KEY="floor-benchmark-only",
    ALLOWED_HOSTS=["127.0.0.1"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework"],
    DATABASES={
        "default": dj_database_url.parse(
            env_str("DATABASE_URL", "sqlite://:memory:"), conn_max_age=600
        )
    },
    REST_FRAMEWORK={
        "DEFAULT_AUTHENTICATION_CLASSES": [],
        "DEFAULT_PERMISSION_CLASSES": [],
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
        "UNAUTHENTICATED_USER": None,
    },
)

application = get_wsgi_application()

# The bare view must pay nothing for the ceiling's database: no connection check per request
# (the ceiling keeps its one connection open).
request_started.disconnect(close_old_connections)
request_finished.disconnect(close_old_connections)

from django.db import connection  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402


class Bare(APIView):
    def get(self, request):
        return Response({"ok": True})

    def post(self, request):
        return Response({"ok": True, "received": len(request.data)}, status=201)


class BareWrite(Bare):
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        with connection.cursor() as cursor:
            # Autocommit: the INSERT is its own transaction, flushed before the answer.
            cursor.execute(f"INSERT INTO {CEILING_TABLE} (written_at) VALUES (now())")


urlpatterns = [path("", Bare.as_view()), path("write/", BareWrite.as_view())]
