"""Saves and deletes that make the cached offer catalog stale. Bulk updates send no signal:
what writes offers, matches or values in bulk must call `offer_catalog_forget` itself."""

from django.db.models.signals import post_delete, post_save

from apps.campaigns.models import Campaign
from apps.consent.models import Purpose
from apps.personalization.models import Offer, OfferMatch, Segment
from apps.personalization.selectors import offer_catalog_forget
from apps.preferences.models import Attribute, AttributeValue


def _catalog_changed(sender, **kwargs) -> None:
    offer_catalog_forget()


for model in (Offer, OfferMatch, Segment, Campaign, Attribute, AttributeValue, Purpose):
    post_save.connect(_catalog_changed, sender=model, dispatch_uid=f"offer-catalog-{model}")
    post_delete.connect(_catalog_changed, sender=model, dispatch_uid=f"offer-catalog-{model}-del")
