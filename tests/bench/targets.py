"""The references every web benchmark measures in the same run, and how a target is printed.

Three references: the bare floor (no middleware, no database), the durable-write ceiling (the
floor's view committing one row) and the middleware ceiling (that view behind the project's
own settings and MIDDLEWARE). A target reads "x % of <reference> (target y %)" and says PASS
or MISS, so a run is judged at a glance."""

import secrets
import tempfile
from pathlib import Path

# The durable-write ceilings (`write/` of the floors) write here.
CEILING_TABLE = "bench_floor_write"

# Their requests are POSTs, like the steps they bound.
CEILING_LUA = """
wrk.method = "POST"
wrk.body = "option=1"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
"""


def ensure_ceiling_table(database_url: str) -> None:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as db:
        db.execute(
            f"CREATE TABLE IF NOT EXISTS {CEILING_TABLE} "
            "(id bigserial PRIMARY KEY, written_at timestamptz)"
        )
        db.execute(f"TRUNCATE {CEILING_TABLE}")


MIDDLEWARE_CEILING_APP = "tests.bench.ceiling_middleware_wsgi:application"
FLOOR = "the floor"
CEILING = "the ceiling (floor + one durable row)"
MIDDLEWARE_CEILING = "the middleware ceiling (middleware + one durable row)"

# A POST through the project's CSRF check carries the cookie and the header, as a player's does.
_CSRF_LUA = """
wrk.headers["Cookie"] = "csrftoken=%(token)s; django_language=de"
wrk.headers["X-CSRFToken"] = "%(token)s"
"""


def middleware_ceiling_lua() -> str:
    return CEILING_LUA + _CSRF_LUA % {"token": secrets.token_hex(16)}


def lua_file(script: str) -> Path:
    """A wrk script on disk; the caller unlinks it."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    return Path(lua.name)


def share_of(subject: str, value: float, reference: str, of: float, *, target: float) -> str:
    """`value` as a percentage of the reference's `of`; at least `target` % passes."""
    share = value / of * 100
    verdict = "PASS" if share >= target else "MISS"
    return f"{subject} = {share:.0f} % of {reference} (target >= {target:.0f} %) {verdict}"


def multiple_of(subject: str, value: float, reference: str, of: float, *, target: float) -> str:
    """`value` as a multiple of the reference's `of` (a latency); at most `target` passes."""
    multiple = value / of
    verdict = "PASS" if multiple <= target else "MISS"
    return f"{subject} = {multiple:.1f}x {reference}'s (target <= {target:g}x) {verdict}"


def at_most(subject: str, value: float, unit: str, *, target: float) -> str:
    verdict = "PASS" if value <= target else "MISS"
    return f"{subject} = {value:.0f} {unit} (target <= {target:.0f}) {verdict}"


def reference_lines(floor: tuple, ceiling: tuple, middleware: tuple) -> list[str]:
    """What the two ceilings cost against the floor: throughput share and p99 multiple."""
    return [
        f"{name} = {rps / floor[0]:.0%} of the floor's throughput, p99 {p99 / floor[2]:.1f}x"
        for name, (rps, _p50, p99) in (
            ("ceiling (floor + one durable row)", ceiling),
            ("middleware + one durable row", middleware),
        )
    ]
