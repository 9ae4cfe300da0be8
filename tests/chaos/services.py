"""The services a chaos run starts for itself on loopback, so it may stop, kill and restart
them without touching anyone else's: a PostgreSQL cluster, a Redis server, gunicorn, a Celery
worker, a relay loop standing in for beat, and a webhook receiver."""

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BIN = PROJECT_ROOT / ".venv" / "bin"
# Set on Ctrl-C, `kill` or the global deadline: every load and wait ends at its next step.
STOP = threading.Event()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port} after {timeout:.0f} s")


def _stop(process: subprocess.Popen | None, *, group: bool = False, timeout: float = 15) -> None:
    """Terminate a process we started (its own process group when it has one), then kill it."""
    if process is None or process.poll() is not None:
        return
    try:
        if group:
            os.killpg(process.pid, signal.SIGTERM)
        else:
            process.terminate()
        process.wait(timeout=timeout)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            if group:
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
        except ProcessLookupError:
            pass
        process.wait(timeout=5)


class Postgres:
    """A throw-away cluster. initdb refuses to run as root, so as root it runs as the
    postgres user in a directory that user owns."""

    def __init__(self, workdir: Path) -> None:
        (self.bin,) = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1:]
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="resonanz-chaos-pg-"))
        self.data = self.root / "data"
        self.as_root = os.getuid() == 0
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        # Where the postgres user may write; copied beside the other logs when the run ends.
        self.log = self.root / "postgres.log"
        self.kept_log = workdir / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/chaos"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [f"{self.bin}/{args[0]}", *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, cwd="/")
        if check and result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {result.stderr or result.stdout}")
        return result

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self._start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "chaos")

    def _start(self) -> None:
        # No durability is under test here, and the machine is shared: skip the fsyncs.
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def start_from(self, saved: Path) -> bool:
        """Start from a cluster saved after migrating and seeding, if there is one."""
        if not saved.is_dir():
            return False
        subprocess.run(["cp", "-a", str(saved), str(self.data)], check=True)
        self._start()
        return True

    def save_to(self, saved: Path) -> None:
        """Keep a copy of the cluster as it is now, for the next run to start from."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        saved.parent.mkdir(parents=True, exist_ok=True)
        # One kept cluster at a time: those of older migrations are never used again.
        for older in saved.parent.glob("cluster-*"):
            shutil.rmtree(older, ignore_errors=True)
        partial = saved.with_name(saved.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        subprocess.run(["cp", "-a", str(self.data), str(partial)], check=True)
        partial.rename(saved)
        self._start()

    def restart(self, pause: float = 0) -> None:
        """`pg_ctl restart -m fast`; with a pause, stopped that long in between, as a server
        with a large cache or crash recovery to do is."""
        if not pause:
            # With -l the new server writes to its log, not into our pipe, which would
            # otherwise stay open as long as the server runs.
            self._run(
                "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-m", "fast", "-w", "restart"
            )
            return
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        time.sleep(pause)
        self._start()

    def stop(self) -> None:
        if self.data.exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        if self.log.exists():
            shutil.copyfile(self.log, self.kept_log)
        shutil.rmtree(self.root, ignore_errors=True)


class Redis:
    """No persistence: a restart loses the broker's queue, the hardest case for the outbox."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.log = workdir / "redis.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--protected-mode", "no", "--logfile", str(self.log)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port, 10)

    def stop(self) -> None:
        _stop(self.process)
        self.process = None


class Managed:
    """A project process (gunicorn, worker, relay) in its own process group, logging to a file."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], workdir: Path) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.log = workdir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        """SIGKILL to the whole group: the worker's pool children die with it, mid-task."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        _stop(self.process, group=True)


def gunicorn(env: dict[str, str], workdir: Path, port: int) -> Managed:
    return Managed(
        "gunicorn",
        [str(BIN / "gunicorn"), "config.wsgi:application", "--workers", "2", "--threads", "4",
         "--bind", f"127.0.0.1:{port}", "--timeout", "60", "--graceful-timeout", "5"],
        env,
        workdir,
    )  # fmt: skip


def celery_worker(env: dict[str, str], workdir: Path) -> Managed:
    return Managed(
        "worker",
        [str(BIN / "celery"), "-A", "config", "worker", "--concurrency", "4",
         "--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
        env,
        workdir,
    )  # fmt: skip


def relay_loop(env: dict[str, str], workdir: Path) -> Managed:
    return Managed("relay", [sys.executable, "-m", "tests.chaos.relay"], env, workdir)


class WebhookReceiver:
    """Records every delivery by its webhook-id and applies each id once, as a partner's
    de-duplicating consumer would."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()
        self.applied: list[str] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                webhook_id = self.headers.get("webhook-id", "")
                with receiver.lock:
                    receiver.received[webhook_id] += 1
                    if receiver.received[webhook_id] == 1:
                        receiver.applied.append(json.loads(body or b"{}").get("type", ""))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        if self.thread.is_alive():
            self.server.shutdown()
        self.server.server_close()
