"""`make load`: players, partners and staff at once against a production-like Resonanz.

Creates its own database on the PostgreSQL server (LOAD_DATABASE_URL, default the local
server's `resonanz_load`; dropped again at the end), migrates it, seeds the demo, builds the
people locust plays (tests/load/world.py), then starts gunicorn (2 sync workers, DEBUG off,
TRUSTED_PROXY_COUNT=0) and a Celery worker against Redis (LOAD_REDIS_URL, default database 9
on loopback, emptied first) and runs locust headless, bounded in time. Prints requests/s,
p50/p95/p99 and errors per step. Ctrl-C, `kill` and a failure stop everything it started.

    make load                                  # LOAD_USERS players (50) for LOAD_SECONDS (60)
    LOAD_STEPS=10,50,100,200 make load         # one run per player count, and the largest
                                               # that keeps p95 < 300 ms reads, < 500 ms
                                               # writes and no error
"""

import base64
import csv
import hashlib
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis

from tests.chaos.services import (
    BIN,
    PROJECT_ROOT,
    Managed,
    celery_worker,
    free_port,
    wait_for_port,
)
from tests.loopback import manage

DATABASE_URL = os.environ.get(
    "LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/resonanz_load"
)
REDIS_URL = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/9")
USERS = int(os.environ.get("LOAD_USERS", "50"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
STEPS = [int(step) for step in os.environ.get("LOAD_STEPS", "").split(",") if step.strip()]
PARTNER_USERS = int(os.environ.get("LOAD_PARTNER_USERS", "4"))
STAFF_USERS = int(os.environ.get("LOAD_STAFF_USERS", "2"))
# Synthetic customers `seed_demo` writes, so the dashboard and segment count have rows to read.
POPULATION = int(os.environ.get("LOAD_POPULATION", "200"))
READ_P95_MS, WRITE_P95_MS = 300, 500
# Once per partner, not per request: the token endpoint hashes the client secret, slow on
# purpose (as a password check is), so it is shown but held to no latency target.
ONCE_PER_SESSION = {"POST api token"}
WORKERS = int(os.environ.get("LOAD_WORKERS", "2"))


# What a seeded template needs beside it: its campaign images and the key its secrets use.
CACHE = Path(os.environ.get("LOAD_CACHE_DIR", str(Path.home() / ".cache" / "resonanz-load")))


class Interrupted(Exception):
    pass


def _interrupt(_signal: int, _frame) -> None:
    raise Interrupted


def _field_key() -> str:
    """The template's secrets stay readable: one key per cache, made on first use."""
    path = CACHE / "field-encryption-key"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        path.write_text(base64.urlsafe_b64encode(os.urandom(32)).decode())
        path.chmod(0o600)
    return path.read_text().strip()


def load_env(workdir: Path) -> dict[str, str]:
    """Production settings on loopback. The rate limits stay on: each simulated person
    sends from an address of its own (see locustfile.py)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "TRUSTED_PROXY_COUNT": "0",
        "FIELD_ENCRYPTION_KEY": _field_key(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # Plain HTTP on loopback: no proxy in front to terminate TLS.
        "SECURE_SSL_REDIRECT": "false",
        # Beside the template, whose campaigns name their images there.
        "MEDIA_ROOT": str(CACHE / "media"),
        "PRIVACY_EXPORT_ROOT": str(workdir / "exports"),
        "LOG_LEVEL": "WARNING",
    }


def _server_url() -> tuple[str, str]:
    """The maintenance database's URL and the load database's name."""
    parts = urlsplit(DATABASE_URL)
    return parts._replace(path="/postgres").geturl(), parts.path.lstrip("/")


def _schema_digest() -> str:
    """Names the migrations, demo modules and locked packages a seeded template was made with."""
    digest = hashlib.sha256()
    sources = [*PROJECT_ROOT.glob("apps/*/migrations/*.py"), *PROJECT_ROOT.glob("apps/**/demo*.py")]
    sources += [*PROJECT_ROOT.glob("apps/**/demo*/**/*.py"), PROJECT_ROOT / "uv.lock"]
    for path in sorted(sources):
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
        digest.update(path.read_bytes())
    digest.update(str(POPULATION).encode())
    return digest.hexdigest()[:16]


def database_create() -> bool:
    """A fresh load database: a copy of the seeded template when one matches this code
    (migrating and seeding take minutes, copying seconds); else an empty one. Whether it
    was copied."""
    server, name = _server_url()
    template = f"{name}_template"
    with psycopg.connect(server, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        row = db.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [template],
        ).fetchone()
        if row is not None and row[0] == _schema_digest():
            db.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            return True
        db.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')
    return False


def template_save() -> None:
    """Keeps the migrated and seeded database as the next run's template."""
    server, name = _server_url()
    template = f"{name}_template"
    with psycopg.connect(server, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{template}" TEMPLATE "{name}"')
        db.execute(f"COMMENT ON DATABASE \"{template}\" IS '{_schema_digest()}'")


def database_drop() -> None:
    server, name = _server_url()
    with psycopg.connect(server, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _static_current() -> bool:
    """collectstatic compresses every file again even when none changed (minutes on a busy
    machine): skipped while its manifest is newer than our files and the locked packages."""
    manifest = PROJECT_ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return False
    sources = [PROJECT_ROOT / "uv.lock", *(PROJECT_ROOT / "static").rglob("*")]
    return all(path.stat().st_mtime < manifest.stat().st_mtime for path in sources)


def prepare(env: dict[str, str], world: Path, members: int) -> None:
    started = time.monotonic()
    copied = database_create()
    redis.Redis.from_url(REDIS_URL).flushdb()
    if not copied:
        manage(env, "migrate", "--noinput")
        seed = {**env, "DEBUG": "true", "CELERY_TASK_ALWAYS_EAGER": "true"}
        manage(seed, "seed_demo", "--population", str(POPULATION))
        template_save()
    if not _static_current():
        manage(env, "collectstatic", "--noinput")
    print(
        f"Database {'copied from the template' if copied else 'migrated and seeded'}, static "
        "files ready in "
        f"{time.monotonic() - started:.0f} s",
        flush=True,
    )
    subprocess.run(
        [sys.executable, "-m", "tests.load.world", str(world), "--members", str(members)],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
    )


def gunicorn(env: dict[str, str], workdir: Path, port: int) -> Managed:
    """Shaped as the benchmarks' gunicorn (sync workers, as production runs them): each
    answers one request at a time and closes the connection after it."""
    return Managed(
        "gunicorn",
        [str(BIN / "gunicorn"), "config.wsgi:application", "--workers", str(WORKERS),
         "--bind", f"127.0.0.1:{port}", "--timeout", "60", "--graceful-timeout", "5"],
        env,
        workdir,
    )  # fmt: skip


def warm_up(base: str) -> None:
    """A few requests before measuring, so each worker has imported its views and opened its
    connections: a cold start is not what the steps report."""
    for _ in range(WORKERS * 4):
        with urllib.request.urlopen(f"{base}/", timeout=60) as response:
            response.read()


def locust_run(
    env: dict[str, str], world: Path, workdir: Path, base: str, players: int, offset: int
) -> list[dict[str, str]]:
    """One bounded headless run; the rows of locust's statistics, one per step."""
    prefix = workdir / f"players-{players}"
    users = players + PARTNER_USERS + STAFF_USERS
    with (workdir / f"locust-{players}.log").open("w") as log:
        subprocess.run(
            [str(BIN / "locust"), "-f", str(PROJECT_ROOT / "tests" / "load" / "locustfile.py"),
             "--headless", "--host", base, "--users", str(users),
             "--spawn-rate", str(max(users / 5, 1)), "--run-time", f"{SECONDS}s",
             "--stop-timeout", "5", "--csv", str(prefix), "--only-summary"],
            cwd=PROJECT_ROOT,
            env={**env, "LOAD_WORLD": str(world), "LOAD_MEMBER_OFFSET": str(offset),
                 "LOAD_PARTNER_USERS": str(PARTNER_USERS), "LOAD_STAFF_USERS": str(STAFF_USERS)},
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,  # locust exits 1 when any request failed; the figures say which
        )  # fmt: skip
    with open(f"{prefix}_stats.csv") as stats:
        return list(csv.DictReader(stats))


def report(players: int, rows: list[dict[str, str]]) -> bool:
    """Prints one step's table; whether it kept every target."""
    # Other work on the machine shows in every figure: say how busy it was.
    load = os.getloadavg()[0]
    print(
        f"\n{players} players + {PARTNER_USERS} partners + {STAFF_USERS} staff, {SECONDS} s "
        f"(load average {load:.1f} on {os.cpu_count()} CPUs at the end)\n"
        f"{'step':<32}{'requests':>9}{'errors':>8}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}"
    )
    missed = []
    for row in rows:
        method, name = row["Type"], row["Name"]
        label = name if name.split(" ", 1)[0] in {"GET", "POST"} else f"{method} {name}"
        print(
            f"{label:<32}{row['Request Count']:>9}{row['Failure Count']:>8}"
            f"{float(row['Requests/s']):>8.1f}{row['50%']:>7}{row['95%']:>7}{row['99%']:>7}"
        )
        if name == "Aggregated" or name in ONCE_PER_SESSION:
            continue
        limit = READ_P95_MS if label.startswith("GET") else WRITE_P95_MS
        if row["95%"] not in {"", "N/A"} and float(row["95%"]) >= limit:
            missed.append(f"{label} p95 {row['95%']} ms >= {limit}")
        if int(row["Failure Count"]):
            missed.append(f"{label} {row['Failure Count']} errors")
    print("(milliseconds)")
    print("kept every target" if not missed else "missed: " + "; ".join(missed))
    return not missed


def main() -> None:
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    steps = STEPS or [USERS]
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="resonanz-load-"))
    env = load_env(workdir)
    world = workdir / "world.json"
    servers = []
    kept: list[int] = []
    try:
        prepare(env, world, members=sum(steps))
        port = free_port()
        servers = [gunicorn(env, workdir, port), celery_worker(env, workdir)]
        for server in servers:
            server.start()
        wait_for_port(port, 60)
        warm_up(f"http://127.0.0.1:{port}")
        print(f"Ready after {time.monotonic() - started:.0f} s; logs in {workdir}", flush=True)
        offset = 0
        for players in steps:
            rows = locust_run(env, world, workdir, f"http://127.0.0.1:{port}", players, offset)
            offset += players
            if report(players, rows):
                kept.append(players)
    except Interrupted:
        print("Interrupted: stopping everything this run started.", flush=True)
        sys.exit(1)
    finally:
        # A second Ctrl-C must not leave half the services running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for server in reversed(servers):
            server.stop()
        database_drop()
    if STEPS:
        print(
            f"\nLargest player count keeping p95 < {READ_P95_MS} ms reads, < {WRITE_P95_MS} ms "
            f"writes and no error: {max(kept) if kept else 'none of ' + str(STEPS)}"
        )
    print(f"Total wall time {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
