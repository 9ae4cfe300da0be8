"""The one normal form of each identifier, so two spellings of an address are one address."""

import hashlib
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from apps.core.exceptions import ApplicationError

EMAIL_MAX_LENGTH = 254
EXTERNAL_ID_MAX_LENGTH = 200


def email_normalise(raw: str) -> str:
    """Trimmed, NFC, lower case, the domain in its ASCII (IDNA) form; refuses what is not an
    address. Lower case throughout: mailbox names differing only in case are one person."""
    address = unicodedata.normalize("NFC", (raw or "").strip())
    if not address or len(address) > EMAIL_MAX_LENGTH:
        raise ApplicationError(_("Please enter a valid e-mail address."))
    local, at, domain = address.rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii")
        address = f"{local}{at}{domain}".lower()
        validate_email(address)
    except (UnicodeError, ValidationError) as error:
        raise ApplicationError(_("Please enter a valid e-mail address.")) from error
    if len(address) > EMAIL_MAX_LENGTH:
        raise ApplicationError(_("Please enter a valid e-mail address."))
    return address


def mailbox(address: str) -> str:
    """The mailbox an address delivers to, for counting: kim+1@ and kim+2@ are kim@."""
    local, _at, domain = address.rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def external_id_normalise(raw: object) -> str:
    """A partner's customer id, as the partner spells it; printable and of sensible length."""
    value = str(raw).strip() if isinstance(raw, str | int) else ""
    if not value or len(value) > EXTERNAL_ID_MAX_LENGTH or not value.isprintable():
        raise ApplicationError(_("The customer id is missing or not valid."))
    return value


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
