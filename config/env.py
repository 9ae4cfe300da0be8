"""Read settings from the environment, with safe defaults for the demo."""

import base64
import hashlib
import os

from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


class MissingSettingError(ImproperlyConfigured):
    """A production setting is absent; the message is one line naming what to set."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int_list(name: str, default: list[int]) -> list[int]:
    """Comma-separated whole numbers, e.g. "10,60,300"."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    try:
        return [int(item) for item in raw.split(",") if item.strip()]
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be whole numbers separated by commas, not {raw!r}."
        ) from None


def require_for_production(names: list[str]) -> None:
    missing = [name for name in names if not os.environ.get(name, "").strip()]
    if missing:
        raise MissingSettingError(
            f"DEBUG=false needs these environment variables set: {', '.join(missing)}."
        )


def fernet_key_derived(secret: str, purpose: str) -> str:
    """A Fernet key made from another secret, for the local demo only: production sets its
    own keys, so that changing SECRET_KEY never locks encrypted data away."""
    digest = hashlib.sha256(f"resonanz.{purpose}:{secret}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()
