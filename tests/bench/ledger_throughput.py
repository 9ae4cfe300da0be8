"""Credits per second through the ledger service on PostgreSQL, against the floor of a bare
INSERT + UPDATE transaction, both with the same number of concurrent clients in one run.

    make bench-ledger
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/resonanz_bench make bench-ledger

The database named in BENCH_DATABASE_URL (default: resonanz_bench on the local server) is
created if missing and migrated; benchmark rows stay in it.
"""

import os
import sys
import threading
import time
import uuid
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/resonanz_bench"
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


def _setup_django() -> None:
    os.environ["DATABASE_URL"] = DATABASE_URL
    # As in production, the relay after commit is handed to a broker, not run in the request;
    # an in-process broker stands in for Redis so only the database is measured.
    os.environ.pop("REDIS_URL", None)
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(PROJECT_ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _run(clients: int, work) -> float:
    """Operations per second over SECONDS, with `clients` threads each calling work(n, i)."""
    from django.db import connection

    counts = [0] * clients
    stop_at = time.monotonic() + SECONDS
    barrier = threading.Barrier(clients)

    def client(n: int) -> None:
        barrier.wait()
        i = 0
        while time.monotonic() < stop_at:
            work(n, i)
            i += 1
        counts[n] = i
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - started)


def main() -> None:
    _ensure_database()
    _setup_django()
    from django.db import connection, transaction

    from apps.loyalty.services import ledger_credit
    from apps.profiles.models import Profile

    run = uuid.uuid4().hex[:8]
    profiles = [Profile.objects.create() for _ in range(CLIENTS * 4)]
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
            [len(profiles)],
        )
        account_ids = [row[0] for row in cursor.fetchall()]

    def bare(n: int, i: int) -> None:
        account_id = account_ids[(n * 4) + i % 4]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO bench_entry (account_id, amount, key) VALUES (%s, 1, %s)",
                [account_id, f"{run}:{n}:{i}"],
            )
            cursor.execute(
                "UPDATE bench_account SET balance = balance + 1 WHERE id = %s", [account_id]
            )

    def service(n: int, i: int) -> None:
        ledger_credit(
            profile=profiles[(n * 4) + i % 4],
            points=1,
            idempotency_key=f"{run}:{n}:{i}",
            reason="Benchmark",
        )

    floor = _run(CLIENTS, bare)
    credits = _run(CLIENTS, service)
    print(f"\n{CLIENTS} clients, {SECONDS:.0f}s each, PostgreSQL\n")
    print(f"{'target':<34}{'per second':>12}")
    print(f"{'bare INSERT + UPDATE (floor)':<34}{floor:>12.0f}")
    print(f"{'ledger_credit through the service':<34}{credits:>12.0f}")
    print(f"\nledger credits = {credits / floor:.0%} of the floor (target >= 50%)")


if __name__ == "__main__":
    main()
