"""The offer catalog: the same for every customer, so each process keeps it."""

from dataclasses import dataclass

from django.db.models import Prefetch

from apps.campaigns.selectors import CAMPAIGNS_VERSION
from apps.consent.models import Purpose
from apps.consent.selectors import PURPOSES_VERSION
from apps.core.process_cache import ProcessCache
from apps.personalization.models import (
    OFFERS_NOT_INTERESTED,
    Offer,
    OfferMatch,
)
from apps.preferences.models import Attribute, AttributeValue
from apps.preferences.selectors import ATTRIBUTES_VERSION

# Kept by every process for the catalog's own version and those of what it shows of
# campaigns, attributes and purposes.
OFFER_CATALOG = ProcessCache(
    "personalization.offer-catalog",
    follows=(CAMPAIGNS_VERSION, ATTRIBUTES_VERSION, PURPOSES_VERSION),
    max_age=60,
)


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


def offer_catalog() -> OfferCatalog:
    """Kept by each process, since every recommendation needs it (see `OFFER_CATALOG`):
    saving or deleting an offer, match or segment renews its version, and a change to a
    campaign, attribute, value or purpose renews theirs. Schedules are checked on each use."""
    return OFFER_CATALOG.get(_offer_catalog_load)


def _offer_catalog_load() -> OfferCatalog:
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
        Attribute.objects.filter(key=OFFERS_NOT_INTERESTED).values_list("pk", "purpose_id").first()
    )
    if not_interested:
        purpose_of_attribute[not_interested[0]] = not_interested[1]
    return OfferCatalog(
        offers,
        labels,
        purpose_of_attribute,
        not_interested and not_interested[0],
        dict(Purpose.objects.values_list("pk", "key")),
    )


def offer_catalog_forget() -> None:
    """Offers, their matches or segments changed: every process reads the catalog again."""
    OFFER_CATALOG.forget()
