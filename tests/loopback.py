"""What the fault injection (`make chaos`) and the load test (`make load`) both need to run a
real site on loopback: `manage.py` in a child process, and HTTP from a chosen loopback
address, so each simulated person has an address of its own for the per-address limits."""

import subprocess
import sys
from pathlib import Path

from requests.adapters import HTTPAdapter

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


class FromAddress(HTTPAdapter):
    """Connections from `address` (any of 127.0.0.0/8)."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)
