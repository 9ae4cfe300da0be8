"""Production settings are checked in a fresh interpreter, exactly as a server starts."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 30 + "-production-key-with-enough-entropy-0123456789",
    "ALLOWED_HOSTS": "resonanz.example",
    "TRUSTED_PROXY_COUNT": "1",
    "DATABASE_URL": "sqlite:///" + str(PROJECT_ROOT / "unused.sqlite3"),
    "FIELD_ENCRYPTION_KEY": "Yr0vmz5BLbVRQ7aHgM4VnUuNJGbcRm4b6WfeGM3mB8A=",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    inherited = {*PRODUCTION, "DEBUG", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in inherited}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_debug_false_without_a_required_setting_fails_with_one_line(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}

    result = _manage("check", env=env)

    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"resonanz: DEBUG=false needs these environment variables set: {missing}."
    ]


def test_debug_false_without_trusted_proxy_count_refuses_to_start_saying_what_to_set():
    env = {k: v for k, v in PRODUCTION.items() if k != "TRUSTED_PROXY_COUNT"}

    result = _manage("check", env=env)

    assert result.returncode != 0
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("resonanz: DEBUG=false needs TRUSTED_PROXY_COUNT set:")
    assert "X-Forwarded-For" in line
    assert "0 if clients connect to it directly" in line


def test_debug_false_with_an_empty_trusted_proxy_count_refuses_to_start():
    result = _manage("check", env={**PRODUCTION, "TRUSTED_PROXY_COUNT": " "})

    assert result.returncode != 0
    assert "needs TRUSTED_PROXY_COUNT set" in result.stderr


def test_debug_false_serves_without_proxies_when_told_so():
    result = _manage("check", env={**PRODUCTION, "TRUSTED_PROXY_COUNT": "0"})

    assert result.returncode == 0, result.stderr


def test_the_wsgi_application_refuses_to_load_without_trusted_proxy_count():
    env = {k: v for k, v in PRODUCTION.items() if k != "TRUSTED_PROXY_COUNT"}
    inherited = {*PRODUCTION, "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in inherited}

    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=PROJECT_ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "needs TRUSTED_PROXY_COUNT set" in result.stderr


def test_debug_on_needs_no_trusted_proxy_count():
    result = _manage("check", env={"DEBUG": "true"})

    assert result.returncode == 0, result.stderr


def test_production_settings_pass_the_deploy_check():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_debug_false_without_a_field_encryption_key_fails_the_system_check():
    env = {k: v for k, v in PRODUCTION.items() if k != "FIELD_ENCRYPTION_KEY"}

    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "core.E001" in result.stderr
    assert "FIELD_ENCRYPTION_KEY is not set" in result.stderr
