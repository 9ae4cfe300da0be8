"""Personalization reads other apps may use, by sub-domain; the public names are re-exported here."""

from apps.personalization.selectors.catalog import (
    OFFER_CATALOG,
    OfferCatalog,
    offer_catalog,
    offer_catalog_forget,
)
from apps.personalization.selectors.next_action import NextAction, next_best_action
from apps.personalization.selectors.recommendations import Recommendation, recommendations
from apps.personalization.selectors.segments import (
    profile_in_segment,
    rule_preview,
    segment_get,
    segment_list,
    segment_profiles,
)

__all__ = [
    "OFFER_CATALOG",
    "NextAction",
    "OfferCatalog",
    "Recommendation",
    "next_best_action",
    "offer_catalog",
    "offer_catalog_forget",
    "profile_in_segment",
    "recommendations",
    "rule_preview",
    "segment_get",
    "segment_list",
    "segment_profiles",
]
