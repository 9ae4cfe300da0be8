"""Evidence of how a consent decision was taken, kept as keyed hashes (no raw IP or UA)."""

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from apps.core.http import client_ip

EVIDENCE_SALT = "resonanz.consent.evidence"


def evidence_hmac(value: str) -> str:
    """HMAC-SHA256 with a server secret: provable for a known value, useless to a thief."""
    if not value:
        return ""
    return salted_hmac(
        EVIDENCE_SALT, value, secret=settings.CONSENT_EVIDENCE_KEY, algorithm="sha256"
    ).hexdigest()


def gpc_signal(request: HttpRequest) -> bool:
    return request.headers.get("Sec-GPC", "").strip() == "1"


@dataclass(frozen=True)
class Evidence:
    ip_hmac: str = ""
    user_agent_hmac: str = ""
    gpc_signal: bool = False

    @classmethod
    def from_request(cls, request: HttpRequest) -> "Evidence":
        return cls(
            ip_hmac=evidence_hmac(client_ip(request)),
            user_agent_hmac=evidence_hmac(request.headers.get("User-Agent", "")),
            gpc_signal=gpc_signal(request),
        )
