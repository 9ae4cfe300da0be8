"""`make chaos`: fault injection against real services this run starts for itself.

Starts its own PostgreSQL cluster, Redis, gunicorn (2 workers), a Celery worker, a relay loop
and a webhook receiver on loopback, builds what the scenarios need, then runs them and prints
one line per scenario with its figures and PASS or FAIL, `manage.py verify_ledger` after
each. Exits non-zero on any FAIL. Everything it started is stopped at the end, on Ctrl-C and
when the global deadline passes.

    make chaos
    CHAOS_REDIS_DOWN_SECONDS=20 make chaos       # a shorter Redis outage (default 120)
    CHAOS_DEADLINE_SECONDS=1200 make chaos       # the global deadline (default 1200)
    .venv/bin/python -m tests.chaos --only 1,2   # some scenarios only
"""

import argparse
import base64
import hashlib
import os
import secrets
import signal
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

from tests.chaos.services import (
    PROJECT_ROOT,
    STOP,
    Postgres,
    Redis,
    WebhookReceiver,
    celery_worker,
    free_port,
    gunicorn,
    relay_loop,
    wait_for_port,
)
from tests.loopback import manage

REDIS_DOWN_SECONDS = float(os.environ.get("CHAOS_REDIS_DOWN_SECONDS", "120"))
DEADLINE_SECONDS = float(os.environ.get("CHAOS_DEADLINE_SECONDS", "1200"))
# PostgreSQL stays down this long in its restart (0: a plain `pg_ctl restart -m fast`, which on
# loopback is over before most requests notice).
PG_DOWN_SECONDS = float(os.environ.get("CHAOS_PG_DOWN_SECONDS", "3"))
BURST = 200
MEMBERS, STOCK = 50, 10
PLAYERS, VISITORS = 50, 50
DELIVERIES = 1000
PARTNER_KEY = "chaos-shop"


def chaos_env(database_url: str, redis_url: str, workdir: Path) -> dict[str, str]:
    """Production settings, every value the settings ask for, on our own services."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "TRUSTED_PROXY_COUNT": "0",
        "FIELD_ENCRYPTION_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # Plain HTTP on loopback: no proxy in front to terminate TLS.
        "SECURE_SSL_REDIRECT": "false",
        # The receiver listens on loopback, which webhooks refuse unless told otherwise.
        "WEBHOOKS_ALLOW_PRIVATE_URLS": "true",
        # The recovery paths production runs every minute, shortened to fit a run.
        "OUTBOX_SWEEP_GRACE_SECONDS": "5",
        "WEBHOOK_ATTEMPT_LEASE_SECONDS": "60",
        "MEDIA_ROOT": str(workdir / "media"),
        "PRIVACY_EXPORT_ROOT": str(workdir / "exports"),
        "LOG_LEVEL": "WARNING",
    }


def saved_cluster() -> Path | None:
    """Where a cluster migrated and seeded from exactly these migrations and demo modules is
    kept between runs (CHAOS_CACHE_DIR, default ~/.cache/resonanz-chaos; CHAOS_CACHE_DIR=
    keeps none). Migrating and seeding take minutes on a busy machine; copying, seconds."""
    root = os.environ.get("CHAOS_CACHE_DIR", str(Path.home() / ".cache" / "resonanz-chaos"))
    if not root:
        return None
    digest = hashlib.sha256()
    sources = [*PROJECT_ROOT.glob("apps/*/migrations/*.py"), *PROJECT_ROOT.glob("apps/**/demo*.py")]
    sources += [*PROJECT_ROOT.glob("apps/**/demo*/**/*.py"), PROJECT_ROOT / "uv.lock"]
    for path in sorted(sources):
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
        digest.update(path.read_bytes())
    return Path(root) / f"cluster-{digest.hexdigest()[:16]}"


def verify_ledger() -> bool:
    from django.core.management import CommandError, call_command

    from tests.chaos.data import fresh_connection

    fresh_connection()
    try:
        call_command("verify_ledger", stdout=open(os.devnull, "w"))  # noqa: SIM115
    except CommandError as error:
        print(f"      verify_ledger: {error}")
        return False
    return True


def _stop(_signal: int, _frame) -> None:
    STOP.set()
    raise KeyboardInterrupt


def _arm_deadline(seconds: float) -> None:
    def expire() -> None:
        print(f"\nThe global deadline of {seconds:.0f} s passed: stopping.", flush=True)
        # A real signal: it also wakes the main thread from a blocking wait.
        os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()


def run(only: set[int]) -> bool:
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="resonanz-chaos-"))
    postgres, redis, receiver = Postgres(workdir), Redis(workdir), WebhookReceiver()
    managed = []
    outcomes = []
    try:
        saved = saved_cluster()
        reused = saved is not None and postgres.start_from(saved)
        if not reused:
            postgres.start()
        redis.start()
        receiver.start()
        env = chaos_env(postgres.url, redis.url, workdir)
        os.environ.update(env)
        phases = {"services": time.monotonic() - started}
        if not reused:
            manage(env, "migrate", "--noinput")
            manage({**env, "DEBUG": "true", "CELERY_TASK_ALWAYS_EAGER": "true"}, "seed_demo",
                   "--population", "0")  # fmt: skip
            if saved is not None:
                postgres.save_to(saved)
            phases["migrate and seed"] = time.monotonic() - started - sum(phases.values())
        manage(env, "collectstatic", "--noinput")
        phases["collectstatic"] = time.monotonic() - started - sum(phases.values())
        import django

        django.setup()
        from tests.chaos import data, faults, scenarios

        data.earning_event_build()
        partner = data.partner_build(PARTNER_KEY)
        members = data.members_build(MEMBERS, points=500)
        reward_id = data.reward_build(stock=STOCK, cost=100)
        outage_survey = data.survey_build("chaos-outage", PLAYERS)
        visitors = data.visitors_build(VISITORS)
        restart_survey = data.survey_build("chaos-restart", PLAYERS)
        endpoint_id = data.webhook_endpoint_build(PARTNER_KEY, receiver.url)
        phases["world"] = time.monotonic() - started - sum(phases.values())
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        managed = [
            gunicorn(env, workdir, port),
            celery_worker(env, workdir),
            relay_loop(env, workdir),
        ]
        for process in managed:
            process.start()
        wait_for_port(port, 60)
        worker = managed[1]
        took = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in phases.items())
        print(
            f"Ready after {time.monotonic() - started:.0f} s ({took}); logs in {workdir}",
            flush=True,
        )

        steps = {
            1: lambda: scenarios.idempotent_burst(base, partner, PARTNER_KEY, BURST),
            2: lambda: scenarios.reward_race(base, members, reward_id, STOCK),
            3: lambda: faults.redis_outage(
                base, redis, outage_survey, visitors,
                down_seconds=REDIS_DOWN_SECONDS, relay_timeout=90,
            ),
            4: lambda: faults.worker_killed(
                worker, receiver, endpoint_id=endpoint_id, profile_id=partner.profile_id,
                deliveries=DELIVERIES, timeout=240,
            ),
            5: lambda: faults.database_restart(
                base, postgres, restart_survey, pause=PG_DOWN_SECONDS, recovery_limit=30
            ),
        }  # fmt: skip
        for number, step in steps.items():
            if only and number not in only:
                continue
            scenario_started = time.monotonic()
            outcome = step()
            ledger_ok = verify_ledger()
            outcome.passed = outcome.passed and ledger_ok
            outcome.figures += (
                f"; verify_ledger {'ok' if ledger_ok else 'FAILED'}; "
                f"{time.monotonic() - scenario_started:.0f} s"
            )
            outcomes.append(outcome)
            print(outcome.line(), flush=True)
    except KeyboardInterrupt:
        print("Interrupted: stopping every service.", flush=True)
        outcomes.append(None)
    except Exception:
        traceback.print_exc()
        outcomes.append(None)
    finally:
        # A second Ctrl-C must not leave half the services running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for process in reversed(managed):
            process.stop()
        receiver.stop()
        redis.stop()
        postgres.stop()
    passed = bool(outcomes) and all(outcome and outcome.passed for outcome in outcomes)
    print(
        f"{'PASS' if passed else 'FAIL'}: {sum(1 for o in outcomes if o and o.passed)} of "
        f"{len(outcomes)} scenarios passed; total wall time {time.monotonic() - started:.0f} s"
    )
    return passed


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.chaos", description=__doc__)
    parser.add_argument("--only", default="", help="comma-separated scenario numbers, e.g. 1,4")
    options = parser.parse_args()
    only = {int(number) for number in options.only.split(",") if number.strip()}
    # Ctrl-C, a plain `kill` and the deadline all stop the run through its teardown.
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    _arm_deadline(DEADLINE_SECONDS)
    sys.exit(0 if run(only) else 1)


if __name__ == "__main__":
    main()
