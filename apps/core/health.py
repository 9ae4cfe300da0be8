"""Readiness checks: each returns None when healthy, or a short reason."""

from django.conf import settings
from django.db import connection


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return error.__class__.__name__
    return None


def check_redis() -> str | None:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        return error.__class__.__name__
    finally:
        client.close()
    return None


def readiness() -> dict[str, str]:
    """Run every check that applies to this deployment; 'ok' or the reason it failed."""
    checks = {"database": check_database}
    if settings.REDIS_URL:
        checks["redis"] = check_redis
    return {name: (check() or "ok") for name, check in checks.items()}
