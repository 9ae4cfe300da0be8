"""State changes go through services, which say what follows from them; STYLE.md rules out
Django signal receivers, whose effects nobody reading the service sees."""

import re
from pathlib import Path

APPS = Path(__file__).resolve().parents[2] / "apps"
MODEL_SIGNALS = re.compile(r"\b(pre|post)_(save|delete|init|migrate)\b|\bm2m_changed\b")


def _sources() -> list[Path]:
    return [path for path in APPS.rglob("*.py") if "migrations" not in path.parts]


def test_no_app_has_a_receivers_module():
    assert not list(APPS.rglob("receivers.py"))


def test_no_app_connects_to_model_signals():
    connected = [
        str(path.relative_to(APPS))
        for path in _sources()
        if MODEL_SIGNALS.search(path.read_text(encoding="utf-8"))
    ]
    assert connected == []
