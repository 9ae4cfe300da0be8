"""A third language is one line in LANGUAGES plus a generated migration, with no model code.

Both checks run in a subprocess under tests/settings_third_language.py (the site's settings
plus French), because the translation library adds each language's columns to the models when
Django starts. The subprocess uses SQLite in memory and the local cache, so it never touches
the database or cache of the suite that starts it.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

from modeltranslation.translator import translator

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "tests.settings_third_language"


def _run_with_french(*args: str) -> subprocess.CompletedProcess:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DATABASE_URL", "REDIS_URL", "PYTEST_ADDOPTS")
    }
    env["DJANGO_SETTINGS_MODULE"] = SETTINGS
    env["DATABASE_URL"] = "sqlite://:memory:"
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _translated_field_count() -> int:
    return sum(
        len(translator.get_options_for_model(model).local_fields)
        for model in translator.get_registered_models(abstract=False)
    )


def test_adding_french_generates_only_french_columns():
    result = _run_with_french("manage.py", "makemigrations", "--dry-run", "--no-input")

    assert result.returncode == 0, result.stdout + result.stderr
    operations = re.findall(r"^    ([+~-]) (.+)$", result.stdout, flags=re.MULTILINE)
    added = [text for sign, text in operations if sign == "+"]
    others = [text for sign, text in operations if sign != "+"]
    assert added, result.stdout
    assert all(re.fullmatch(r"Add field \w+_fr to \w+", text) for text in added), added
    assert len(added) == _translated_field_count()
    # The customer's language choice lists LANGUAGES; nothing else changes.
    assert others == ["Alter field locale on profile"]


def test_french_texts_show_on_customer_pages_and_in_the_admin():
    result = _run_with_french(
        "-m",
        "pytest",
        "tests/core/french_pages.py",
        f"--ds={SETTINGS}",
        "--no-migrations",
        "--create-db",
        "-q",
    )

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert " passed" in summary, summary
    assert "skipped" not in summary, summary
