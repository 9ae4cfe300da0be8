"""The sites each partner allows to frame our pages."""

from django.db import transaction

from apps.partners.models import EmbedOrigin
from apps.partners.selectors import EMBED_ORIGINS


@transaction.atomic
def embed_origin_save(*, embed_origin: EmbedOrigin) -> EmbedOrigin:
    """Add or change an allowed site (already validated by `full_clean`); every process
    reads the allowed sites again."""
    embed_origin.save()
    EMBED_ORIGINS.forget()
    return embed_origin


@transaction.atomic
def embed_origin_delete(*, embed_origin: EmbedOrigin) -> None:
    embed_origin.delete()
    EMBED_ORIGINS.forget()


def embed_origins_partner_changed() -> None:
    """A partner was added, changed (deactivated, say) or deleted: its sites may count no more."""
    EMBED_ORIGINS.forget()
