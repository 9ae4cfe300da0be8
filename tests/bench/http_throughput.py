"""HTTP throughput of the home page against the bare-Django floor, in one run.

Starts two gunicorn servers on 127.0.0.1 with the same worker count: Resonanz under
production settings, and a bare Django view with no middleware. Loads each with wrk (or a
slower Python client when wrk is missing) and prints requests/s, p50 and p99.

A first visit sends no cookies, so Django mints a CSRF secret for the language form; a
returning visitor sends the cookies back. Both are measured.

    make bench                       # 10 s per target
    BENCH_SECONDS=30 make bench      # longer runs
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test make bench
"""

import http.client
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tests.bench.ledger_throughput import FIELD_ENCRYPTION_KEY
from tests.loopback import manage

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2)))


@dataclass
class Result:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEY": FIELD_ENCRYPTION_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        # The load generator connects directly: no proxy in front.
        "TRUSTED_PROXY_COUNT": "0",
        "DATABASE_URL": database_url,
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }


def start_gunicorn(app: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=PROJECT_ROOT,
        env=env,
    )
    # Generous: on a machine busy with other work, two workers may need half a minute to boot.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"{app} did not answer 200 on port {port}")


def wrk_measure(
    url: str,
    *,
    threads: int,
    connections: int,
    script: str | None = None,
    headers: tuple[str, ...] = (),
) -> tuple[float, float, float]:
    """requests/s, p50 ms and p99 ms of one wrk run; any failed response fails the run."""
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{SECONDS}s", "--latency"]
    for header in headers:
        args += ["-H", header]
    if script:
        args += ["-s", script]
    output = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    latency = {
        p: float(v) * units[u]
        for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)", output, re.M)
    }
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{errors.group(1)} failed requests against {url}")
    return rps, latency["50"], latency["99"]


def returning_visitor_cookie(port: int) -> str:
    """The cookies a browser sends on its second visit (CSRF secret, language)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", "/")
    response = connection.getresponse()
    response.read()
    cookies = [header.split(";", 1)[0] for header in response.headers.get_all("Set-Cookie") or []]
    return "; ".join([*cookies, "django_language=de"])


def load_with_wrk(name: str, url: str, cookie: str = "") -> Result:
    headers = (f"Cookie: {cookie}",) if cookie else ()
    return Result(name, *wrk_measure(url, threads=2, connections=CONNECTIONS, headers=headers))


def load_with_python(name: str, url: str, cookie: str = "") -> Result:
    host, port = url.removeprefix("http://").rstrip("/").split(":")
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + SECONDS

    def client() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        mine = []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            connection.request("GET", "/", headers={"Cookie": cookie} if cookie else {})
            connection.getresponse().read()
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cuts = statistics.quantiles(latencies, n=100)
    return Result(name, len(latencies) / SECONDS, cuts[49], cuts[98])


def _ceilings(database_url: str, env: dict[str, str], floor_port: int) -> list[Result]:
    """Both durable-write ceilings, when the database is PostgreSQL and wrk is there."""
    from tests.bench.targets import (
        CEILING_LUA,
        MIDDLEWARE_CEILING_APP,
        ensure_ceiling_table,
        lua_file,
        middleware_ceiling_lua,
    )

    ensure_ceiling_table(database_url)
    port = free_port()
    server = start_gunicorn(MIDDLEWARE_CEILING_APP, port, env)
    scripts = [lua_file(CEILING_LUA), lua_file(middleware_ceiling_lua())]
    try:
        ceilings = [
            Result(name, *wrk_measure(url, threads=2, connections=CONNECTIONS, script=str(lua)))
            for name, url, lua in zip(
                ("floor + one durable row", "middleware + one durable row"),
                (f"http://127.0.0.1:{floor_port}/write/", f"http://127.0.0.1:{port}/write/"),
                scripts,
                strict=True,
            )
        ]
    finally:
        server.terminate()
        server.wait(timeout=20)
        for lua in scripts:
            lua.unlink(missing_ok=True)
    return ceilings


def main() -> None:
    from tests.bench.targets import FLOOR, MIDDLEWARE_CEILING, share_of

    wrk = shutil.which("wrk")
    if wrk is None:
        print("wrk not found; using a slower Python client. Install it: apt-get install wrk")
    load = load_with_wrk if wrk else load_with_python

    with tempfile.TemporaryDirectory() as scratch:
        database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{scratch}/bench.sqlite3"
        env = production_env(database_url)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")

        servers = []
        ceilings: list[Result] = []
        try:
            home_port, floor_port = free_port(), free_port()
            servers.append(start_gunicorn("config.wsgi:application", home_port, env))
            servers.append(start_gunicorn("tests.bench.floor_wsgi:application", floor_port, env))
            floor = load("bare Django (floor)", f"http://127.0.0.1:{floor_port}/")
            if wrk and database_url.startswith("postgres"):
                ceilings = _ceilings(database_url, env, floor_port)
            home = load("home page, first visit", f"http://127.0.0.1:{home_port}/")
            returning = load(
                "home page, returning",
                f"http://127.0.0.1:{home_port}/",
                cookie=returning_visitor_cookie(home_port),
            )
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=20)

    print(f"\n{WORKERS} gunicorn workers, {CONNECTIONS} connections, {SECONDS}s per target\n")
    print(f"{'target':<30}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'of floor':>10}")
    for result in (floor, *ceilings, home, returning):
        ratio = result.requests_per_second / floor.requests_per_second
        print(
            f"{result.name:<30}{result.requests_per_second:>10.0f}"
            f"{result.p50_ms:>10.2f}{result.p99_ms:>10.2f}{ratio:>10.0%}"
        )
    print()
    print(
        share_of(
            "home page (first visit)",
            home.requests_per_second,
            FLOOR,
            floor.requests_per_second,
            target=40,
        )
    )
    if ceilings:
        middleware = ceilings[1]
        print(
            f"(home page, first visit = {home.requests_per_second / middleware.requests_per_second:.0%}"
            f" of {MIDDLEWARE_CEILING}, which writes a row the page does not)"
        )
    else:
        print("(the ceilings need wrk and PostgreSQL in BENCH_DATABASE_URL)")


if __name__ == "__main__":
    main()
