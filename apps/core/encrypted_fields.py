"""Model fields whose values the database keeps encrypted (Fernet), under keys from the
environment, and the fingerprint by which people tell such values apart without seeing them.

`FIELD_ENCRYPTION_KEYS` (from `FIELD_ENCRYPTION_KEY`, comma-separated) holds Fernet keys: the
first encrypts, every one decrypts. A key is rotated by putting a new one first, running
`manage.py encrypted_fields_rotate`, then dropping the old one.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils.crypto import salted_hmac


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is not set.")
    return MultiFernet([Fernet(key) for key in keys])


def field_fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def field_encrypt(value: str) -> str:
    return field_fernet().encrypt(value.encode()).decode()


def field_decrypt(token: str) -> str:
    try:
        return field_fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "An encrypted value does not open with any key in FIELD_ENCRYPTION_KEY: "
            "was a key dropped before `manage.py encrypted_fields_rotate` ran?"
        ) from None


def secret_fingerprint(value: str) -> str:
    """Twelve hex digits that change when the value changes and tell nothing of it: keyed
    with SECRET_KEY, so no one can test guesses against a fingerprint they read."""
    if not value:
        return ""
    return salted_hmac("resonanz.secret-fingerprint", value, algorithm="sha256").hexdigest()[:12]


class EncryptedTextField(models.TextField):
    """Text stored encrypted, read in clear. An empty value stays empty in the database, so
    a query can still ask whether one is set (`exclude(field="")`); it can ask nothing else.
    The audit trail never records such a value (`audit.services.config_snapshot`)."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return field_encrypt(value) if value else value

    def from_db_value(self, value, expression, connection):
        return field_decrypt(value) if value else value


def encrypted_fields() -> list[EncryptedTextField]:
    return [
        field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


@transaction.atomic
def encrypted_fields_rotate() -> int:
    """Encrypt every stored value again with the first key; returns how many were."""
    rotated = 0
    for field in encrypted_fields():
        manager = field.model._base_manager
        rows = manager.exclude(**{field.attname: ""}).exclude(**{f"{field.attname}__isnull": True})
        for pk, value in rows.values_list("pk", field.attname):
            manager.filter(pk=pk).update(**{field.attname: value})
            rotated += 1
    return rotated


@checks.register(checks.Tags.security)
def check_field_encryption_keys(app_configs, **kwargs) -> list[checks.CheckMessage]:
    keys = settings.FIELD_ENCRYPTION_KEYS
    if not keys:
        return [
            checks.Error(
                "FIELD_ENCRYPTION_KEY is not set: secrets kept in the database cannot be "
                "encrypted.",
                hint="Set it to a key made with `python -c 'from cryptography.fernet import "
                "Fernet; print(Fernet.generate_key().decode())'`.",
                id="core.E001",
            )
        ]
    try:
        _fernet(tuple(keys))
    except ValueError:
        return [
            checks.Error(
                "FIELD_ENCRYPTION_KEY holds a value that is not a Fernet key (32 bytes, "
                "url-safe base64).",
                id="core.E002",
            )
        ]
    return []
