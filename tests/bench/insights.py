"""The program dashboard at scale on PostgreSQL, against the bare-Django floor, in one run.

    make bench-insights

Customers (with plays and about ten answers each) are made once with `generate_profiles` in
the database named in BENCH_INSIGHTS_DATABASE_URL (default: resonanz_insights on the local
server) and reused by later runs; BENCH_PROFILES (default 1,000,000) says how many. The
rollups are then brought up to date with a full run, and a second (incremental) run is timed
too.

Both pages are served by gunicorn with the same settings and one worker, and asked one
request at a time by the same client as the analyst would: the floor is the bare Django view
of `floor_wsgi.py`; the dashboard runs every middleware, the admin and its queries, with
today's figures counted live. The ratio is dashboard time over floor time (medians).
"""

import http.client
import os
import statistics
import subprocess
import sys
import time

from tests.bench import http_throughput, ledger_throughput
from tests.bench.http_throughput import free_port, manage, production_env, start_gunicorn
from tests.bench.ledger_throughput import PROJECT_ROOT

DATABASE_URL = os.environ.get(
    "BENCH_INSIGHTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/resonanz_insights"
)
PROFILES = int(os.environ.get("BENCH_PROFILES", "1000000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "40"))
PROGRAM = "/admin/insights/dashboard/program/"


def _prepare(env: dict[str, str]) -> bool:
    """Migrate, load the demo vocabulary and make the customers if they are not there yet;
    True when customers were made (the rollups then need a full run)."""
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    with psycopg.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as db:
        if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            db.execute(f'CREATE DATABASE "{name}"')
    demo = {**env, "DEBUG": "true"}
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    manage(demo, "seed_demo", "--population", "0")
    with psycopg.connect(DATABASE_URL) as db:
        present = db.execute("SELECT count(*) FROM profiles_profile").fetchone()[0]
    if present >= PROFILES:
        return False
    print(f"making {PROFILES - present:,} customers (once) ...", flush=True)
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "manage.py", "generate_profiles", "--count", str(PROFILES - present)],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"customers made in {time.monotonic() - started:.0f} s", flush=True)
    with psycopg.connect(DATABASE_URL, autocommit=True) as db:
        db.execute("ANALYZE")
    return True


def _analyst_cookie() -> str:
    """A signed-in session of a staff user allowed to see the dashboards."""
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.auth.models import Permission
    from django.contrib.sessions.backends.db import SessionStore

    user, _created = get_user_model().objects.get_or_create(
        username="bench-analyst", defaults={"is_staff": True}
    )
    user.set_password("bench-analyst-password")
    user.save()
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="insights", codename="view_dashboards")
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}; django_language=de"


def _median_ms(port: int, path: str, cookie: str = "") -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Cookie": cookie} if cookie else {}
    times = []
    for n in range(REQUESTS + 3):
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}: {body[:300]!r}")
        if n >= 3:  # the first requests warm caches and connections
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    env = production_env(DATABASE_URL)
    made = _prepare(env)
    os.environ.update(env)
    ledger_throughput.DATABASE_URL = DATABASE_URL
    ledger_throughput._setup_django(migrate=False)
    from apps.campaigns.models import Answer, Participation
    from apps.insights.models import RollupRun
    from apps.insights.services import rollups_refresh
    from apps.profiles.models import Profile

    # A full run stopped half-way (no finished_at) left days missing: it is done again.
    last_full = RollupRun.objects.filter(full=True).order_by("-started_at").first()
    if made or last_full is None or last_full.finished_at is None:
        full = rollups_refresh(full=True)
        print(f"rollups, full run                {full.seconds:>12.1f} s ({full.days} days)")
    incremental = rollups_refresh()
    cookie = _analyst_cookie()
    http_throughput.WORKERS = 1
    servers = []
    try:
        floor_port, app_port = free_port(), free_port()
        servers.append(start_gunicorn("tests.bench.floor_wsgi:application", floor_port, env))
        servers.append(start_gunicorn("config.wsgi:application", app_port, env))
        floor = _median_ms(floor_port, "/")
        dashboard = _median_ms(app_port, PROGRAM, cookie)
        year = _median_ms(app_port, f"{PROGRAM}?start=2000-01-01", cookie)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)
    print(f"profiles                         {Profile.objects.count():>12,}")
    print(f"plays                            {Participation.objects.count():>12,}")
    print(f"answers                          {Answer.objects.count():>12,}")
    print(
        f"rollups, incremental run         {incremental.seconds:>12.1f} s ({incremental.days} days)"
    )
    print(f"bare Django (floor)              {floor:>12.2f} ms (median of {REQUESTS})")
    print(f"program dashboard, 30 days       {dashboard:>12.2f} ms (median)")
    print(f"program dashboard, 366 days      {year:>12.2f} ms (median)")
    print(f"ratio, 30 days                   {dashboard / floor:>12.1f}x the floor")
    print(f"ratio, 366 days                  {year / floor:>12.1f}x the floor")


if __name__ == "__main__":
    main()
