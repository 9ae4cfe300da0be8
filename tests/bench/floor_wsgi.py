"""The floor: a bare Django view with no middleware, served by the same gunicorn setup.

`write/` is the durable-write ceiling: the same view writing one row to the database and
committing it before it answers, as every step that saves what a customer did must."""

import dj_database_url
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.env import env_str
from tests.bench.targets import CEILING_TABLE

settings.configure(
    DEBUG=False,
    SECRET_KEY="floor-benchmark-only",
    ALLOWED_HOSTS=["127.0.0.1"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={
        "default": dj_database_url.parse(
            env_str("DATABASE_URL", "sqlite://:memory:"), conn_max_age=600
        )
    },
)


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def write_one(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        # Autocommit: the INSERT is its own transaction, flushed to disk before the answer.
        cursor.execute(f"INSERT INTO {CEILING_TABLE} (written_at) VALUES (now())")
    return HttpResponse("ok")


urlpatterns = [path("", bare), path("write/", write_one)]

application = get_wsgi_application()

# The bare view must pay nothing for the ceiling's database: no connection check per request
# (the ceiling keeps its one connection open).
request_started.disconnect(close_old_connections)
request_finished.disconnect(close_old_connections)
