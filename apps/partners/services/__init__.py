"""Everything that changes partners' state, by job; the public names are re-exported here."""

from apps.partners.services.clients import (
    oauth_client_create,
    partner_client_create,
    partner_link_customer,
    partner_secret_reset,
    partner_token_issue,
)
from apps.partners.services.embed import (
    EmbedEntry,
    embed_sign_in,
    embed_token_check,
    embed_token_claims,
    embed_token_uses_forget_expired,
)
from apps.partners.services.embed_origins import (
    embed_origin_delete,
    embed_origin_save,
    embed_origins_partner_changed,
)
from apps.partners.services.idempotency import (
    idempotency_record_claim,
    idempotency_record_finish,
    idempotency_record_release,
    idempotency_records_forget_old,
)
from apps.partners.services.partner_events import (
    RESERVED_EVENT_FIELDS,
    RecordedEvent,
    partner_event_record,
    partner_scoped_key,
)

__all__ = [
    "RESERVED_EVENT_FIELDS",
    "EmbedEntry",
    "RecordedEvent",
    "embed_origin_delete",
    "embed_origin_save",
    "embed_origins_partner_changed",
    "embed_sign_in",
    "embed_token_check",
    "embed_token_claims",
    "embed_token_uses_forget_expired",
    "idempotency_record_claim",
    "idempotency_record_finish",
    "idempotency_record_release",
    "idempotency_records_forget_old",
    "oauth_client_create",
    "partner_client_create",
    "partner_event_record",
    "partner_link_customer",
    "partner_scoped_key",
    "partner_secret_reset",
    "partner_token_issue",
]
