"""The durable-write ceiling: the bare Django view of `floor_wsgi`, with no middleware, that
also writes one row to PostgreSQL and commits it before answering, as every step that saves
what a customer did must. Served by the same gunicorn setup as the floor."""

import dj_database_url
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.env import env_str
from tests.bench.http_throughput import CEILING_TABLE

settings.configure(
    DEBUG=False,
    SECRET_KEY="floor-benchmark-only",
    ALLOWED_HOSTS=["127.0.0.1"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={"default": dj_database_url.parse(env_str("DATABASE_URL"), conn_max_age=600)},
)


def write_one(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        # Autocommit: the INSERT is its own transaction, flushed to disk before the answer.
        cursor.execute(f"INSERT INTO {CEILING_TABLE} (written_at) VALUES (now())")
    return HttpResponse("ok")


urlpatterns = [path("", write_one)]

application = get_wsgi_application()
