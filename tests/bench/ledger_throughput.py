"""Credits per second through the ledger service on PostgreSQL, against the floor of a bare
INSERT + UPDATE transaction, both with the same number of concurrent clients in one run.

    make bench-ledger
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/resonanz_bench make bench-ledger

The database named in BENCH_DATABASE_URL (default: resonanz_bench on the local server) is
created if missing and migrated; benchmark rows stay in it.
"""

import multiprocessing
import os
import secrets
import statistics
import sys
import time
import uuid
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "4"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/resonanz_bench"
)
# Production settings need one; fixed (bench only) so a kept bench database stays readable
# from run to run, and the same for the demo seeding (DEBUG on) and the measured servers.
FIELD_ENCRYPTION_KEY = (
    os.environ.get("FIELD_ENCRYPTION_KEY") or "VfcenCl7pNVgJJg2230qVYBNbShbNk2HVzMN89woix0="
)


def _ensure_database() -> None:
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    server = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def _setup_django(migrate: bool = True) -> None:
    # Production settings: with DEBUG on, Django would also record every query.
    os.environ.update(
        DATABASE_URL=DATABASE_URL,
        DEBUG="false",
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEY=FIELD_ENCRYPTION_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        TRUSTED_PROXY_COUNT="0",
        LOG_LEVEL="WARNING",
    )
    # As in production, the relay after commit is handed to a broker, not run in the request;
    # an in-process broker stands in for Redis so only the database is measured.
    os.environ.pop("REDIS_URL", None)
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(PROJECT_ROOT))
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def _client(work_name: str, n: int, start_at: float, stop_at: float, results) -> None:
    """One client process, like one gunicorn or Celery worker: its own interpreter and
    its own database connection."""
    _setup_django(migrate=False)
    work = WORKS[work_name]
    work(n, -1)  # warm up: connect, fill caches, reach the broker, outside the clock
    while time.time() < start_at:
        time.sleep(0.001)
    i = 0
    while time.time() < stop_at:
        work(n, i)
        i += 1
    results.put(i)


def _run(clients: int, work_name: str) -> float:
    """Operations per second over SECONDS with `clients` processes."""
    from django.db import connections

    connections.close_all()
    STATE["run"] = uuid.uuid4().hex[:8]  # fresh idempotency keys for every round
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.time() + 2
    stop_at = start_at + SECONDS
    processes = [
        context.Process(target=_client, args=(work_name, n, start_at, stop_at, results))
        for n in range(clients)
    ]
    for process in processes:
        process.start()
    # A client that crashed never reports; fail instead of waiting for it forever.
    total = sum(results.get(timeout=SECONDS + 60) for _ in processes)
    for process in processes:
        process.join()
    return total / SECONDS


WORKS = {}
STATE: dict[str, object] = {}


def _bare(n: int, i: int) -> None:
    from django.db import connection, transaction

    account_id = STATE["account_ids"][(n * 4) + i % 4]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_entry (account_id, amount, key) VALUES (%s, 1, %s)",
            [account_id, f"{STATE['run']}:{n}:{i}"],
        )
        cursor.execute("UPDATE bench_account SET balance = balance + 1 WHERE id = %s", [account_id])


def _service(n: int, i: int) -> None:
    from apps.loyalty.services import ledger_credit

    ledger_credit(
        profile=STATE["profiles"][(n * 4) + i % 4],
        points=1,
        idempotency_key=f"{STATE['run']}:{n}:{i}",
        reason="Benchmark",
    )


WORKS.update(bare=_bare, service=_service)


def main() -> None:
    _ensure_database()
    _setup_django()
    from django.db import connection

    from apps.profiles.models import Profile

    STATE["profiles"] = [Profile.objects.create() for _ in range(CLIENTS * 4)]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_account (id serial PRIMARY KEY, balance int NOT NULL)"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_entry (id bigserial PRIMARY KEY, account_id int, "
            "amount int, key text, created_at timestamptz DEFAULT now(), UNIQUE (account_id, key))"
        )
        cursor.execute(
            "INSERT INTO bench_account (balance) SELECT 0 FROM generate_series(1, %s) RETURNING id",
            [CLIENTS * 4],
        )
        STATE["account_ids"] = [row[0] for row in cursor.fetchall()]

    # Alternating short rounds, so a noisy neighbour on the machine hits both sides alike.
    floors, credits, ratios = [], [], []
    for _ in range(ROUNDS):
        floors.append(_run(CLIENTS, "bare"))
        credits.append(_run(CLIENTS, "service"))
        ratios.append(credits[-1] / floors[-1])
    print(f"\n{CLIENTS} client processes, {ROUNDS} rounds of {SECONDS:.0f}s each, PostgreSQL\n")
    print(f"{'median per second':<34}{'':>12}")
    print(f"{'bare INSERT + UPDATE (floor)':<34}{statistics.median(floors):>12.0f}")
    print(f"{'ledger_credit through the service':<34}{statistics.median(credits):>12.0f}")
    rounds = ", ".join(f"{ratio:.0%}" for ratio in ratios)
    print(f"\nper round: {rounds}")
    print(f"ledger credits = {statistics.median(ratios):.0%} of the floor (target >= 50%)")


if __name__ == "__main__":
    main()
