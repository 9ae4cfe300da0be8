"""The offer catalog: the same for every customer, so each process keeps it."""

import logging
import uuid
from dataclasses import dataclass

from django.core.cache import cache, caches
from django.db import transaction
from django.db.models import Prefetch
from redis.exceptions import RedisError

from apps.consent.models import Purpose
from apps.personalization.models import (
    OFFERS_NOT_INTERESTED,
    Offer,
    OfferMatch,
)
from apps.preferences.models import Attribute, AttributeValue

logger = logging.getLogger(__name__)


local_cache = caches["local"]

OFFER_CATALOG_CACHE_KEY = "personalization:offer-catalog:{version}"
# In the shared cache: every process keeps the catalog of the version it read, and a change
# anywhere makes a new version.
OFFER_CATALOG_VERSION_KEY = "personalization:offer-catalog-version"
OFFER_CATALOG_SECONDS = 60


@dataclass(frozen=True)
class OfferCatalog:
    """Every active offer with what it matches and the campaign it may invite to, and the
    words for the matched values: the same for all customers."""

    offers: tuple[Offer, ...]
    labels: dict[tuple[int, str], AttributeValue]
    # The purpose of every attribute that counts: those offers match, and "not interested".
    purpose_of_attribute: dict[int, int]
    not_interested_id: int | None
    purpose_keys: dict[int, str]

    def running(self, now) -> list[Offer]:
        """Offers within their schedule whose campaign, if they invite to one, runs now."""
        return [
            offer
            for offer in self.offers
            if (offer.starts_at is None or offer.starts_at <= now)
            and (offer.ends_at is None or offer.ends_at > now)
            and (offer.campaign_id is None or offer.campaign.is_running)
        ]


def _offer_catalog_version() -> str | None:
    try:
        return cache.get_or_set(OFFER_CATALOG_VERSION_KEY, _new_version, timeout=None)
    except (RedisError, OSError):
        return None


def _new_version() -> str:
    return uuid.uuid4().hex


def offer_catalog() -> OfferCatalog:
    """Kept by each process, since every recommendation needs it, for the catalog version
    named in the shared cache: saving or deleting an offer, match, campaign, segment,
    attribute, value or purpose anywhere names a new one (see `receivers`). While Redis
    cannot be reached it is read every time; without Redis at all (one process, in
    development) the version is that process's own. Kept a minute at most either way.
    Schedules are checked on each use."""
    version = _offer_catalog_version()
    key = OFFER_CATALOG_CACHE_KEY.format(version=version)
    catalog = local_cache.get(key) if version else None
    if catalog is None:
        offers = tuple(
            Offer.objects.filter(is_active=True)
            .select_related("campaign")
            .prefetch_related(
                Prefetch("matches", queryset=OfferMatch.objects.select_related("attribute"))
            )
        )
        attribute_ids = {match.attribute_id for offer in offers for match in offer.matches.all()}
        labels = {
            (value.attribute_id, value.key): value
            for value in AttributeValue.objects.filter(attribute_id__in=attribute_ids)
        }
        purpose_of_attribute = {
            match.attribute_id: match.attribute.purpose_id
            for offer in offers
            for match in offer.matches.all()
        }
        not_interested = (
            Attribute.objects.filter(key=OFFERS_NOT_INTERESTED)
            .values_list("pk", "purpose_id")
            .first()
        )
        if not_interested:
            purpose_of_attribute[not_interested[0]] = not_interested[1]
        catalog = OfferCatalog(
            offers,
            labels,
            purpose_of_attribute,
            not_interested and not_interested[0],
            dict(Purpose.objects.values_list("pk", "key")),
        )
        if version:
            local_cache.set(key, catalog, OFFER_CATALOG_SECONDS)
    return catalog


def offer_catalog_forget() -> None:
    """Name a new catalog version now, and again at commit, so no process keeps what was
    just replaced (nor reads it again before the change is visible)."""

    def renew() -> None:
        try:
            cache.set(OFFER_CATALOG_VERSION_KEY, _new_version(), timeout=None)
        except (RedisError, OSError):
            logger.warning("The offer catalog version could not be renewed.")

    renew()
    transaction.on_commit(renew)
