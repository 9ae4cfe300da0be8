from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.consent.models import Purpose
from apps.core.exceptions import ApplicationError
from apps.core.translated_fields import translations
from apps.personalization.models import (
    OFFERS_NOT_INTERESTED,
    Offer,
    OfferImpression,
    OfferMatch,
    OfferSettings,
    Segment,
    SegmentMember,
)
from apps.personalization.rules import PERSONALIZATION, rule_compile
from apps.personalization.selectors import offer_catalog_forget
from apps.preferences.models import Attribute, Declaration, Source
from apps.preferences.selectors import declaration_list_usable
from apps.preferences.services import attribute_save, attribute_values_ensure, preference_declare
from apps.profiles.lock_objects import profile_lock
from apps.profiles.models import Profile


@transaction.atomic
def segment_save(*, segment: Segment) -> Segment:
    """Save a segment whose rule compiles; a RuleError says what to fix and nothing is saved."""
    rule_compile(segment.rule, segment_key=segment.key)
    segment.full_clean()
    # Stored members of an old rule are not members of this one: reads compute live until
    # the next run (every five minutes) stores the new list.
    segment.materialized_at = None
    segment.save()
    # Segments may include this one: their stored lists are rebuilt too.
    Segment.objects.filter(materialize=True).exclude(pk=segment.pk).update(materialized_at=None)
    offer_catalog_forget()
    return segment


@transaction.atomic
def segment_delete(*, segment: Segment) -> None:
    """Offers for the segment lose it with it (and are shown to everyone they match)."""
    segment.delete()
    offer_catalog_forget()


@transaction.atomic
def segment_members_forget(*, profile: Profile) -> int:
    """After a withdrawal: out of every stored list at once; the next update puts the
    customer back wherever the rule still holds without that consent."""
    deleted, _kinds = SegmentMember.objects.filter(profile=profile).delete()
    return deleted


# The system attribute as the data migration makes it, should the purpose come later.
NOT_INTERESTED_ATTRIBUTE = {
    "key": OFFERS_NOT_INTERESTED,
    "kind": Attribute.Kind.MULTIPLE_CHOICE,
    "topic": Attribute.Topic.SHOPPING,
    "label_de": "Angebote, die dich nicht interessieren",
    "label_en": "Offers you are not interested in",
    "is_asked": False,
}


def _not_interested_attribute() -> Attribute | None:
    """The attribute "not interested" is declared under, made on first use; None while the
    purpose `personalization` does not exist (then nobody can have granted it)."""
    attribute = Attribute.objects.filter(key=OFFERS_NOT_INTERESTED).first()
    if attribute is not None:
        return attribute
    purpose = Purpose.objects.filter(key=PERSONALIZATION).first()
    if purpose is None:
        return None
    try:
        # A savepoint: two first uses at once both try; the second reads the first's row.
        with transaction.atomic():
            return attribute_save(attribute=Attribute(purpose=purpose, **NOT_INTERESTED_ATTRIBUTE))
    except IntegrityError:
        return Attribute.objects.get(key=OFFERS_NOT_INTERESTED)


@transaction.atomic
def offer_choice_sync(*, offers: Iterable[Offer] | None = None) -> Attribute | None:
    """Make every offer (or those given) a value of "Offers you are not interested in",
    labelled with its titles. Values of removed offers stay: what customers said keeps its
    name. None while there is no purpose `personalization` to collect it for."""
    attribute = _not_interested_attribute()
    if attribute is None:
        return None
    offers = Offer.objects.all() if offers is None else offers
    attribute_values_ensure(
        attribute=attribute,
        labels={offer.key: translations(offer, "title") for offer in offers},
    )
    return attribute


@transaction.atomic
def offer_save(*, offer: Offer) -> Offer:
    """Create or change an offer (staff, in the admin). Its key stays once saved: customers'
    "not interested" and partners refer to it."""
    offer.full_clean()
    if offer.pk:
        stored_key = Offer.objects.filter(pk=offer.pk).values_list("key", flat=True).first()
        if stored_key is not None and stored_key != offer.key:
            raise ApplicationError(_("An offer keeps its key once it is saved."))
    offer.save()
    offer_choice_sync(offers=[offer])
    offer_catalog_forget()
    return offer


@transaction.atomic
def offer_delete(*, offer: Offer) -> None:
    offer.delete()
    offer_catalog_forget()


@transaction.atomic
def offer_match_save(*, match: OfferMatch) -> OfferMatch:
    """What an offer matches (staff, in the admin)."""
    match.full_clean()
    match.save()
    offer_catalog_forget()
    return match


@transaction.atomic
def offer_match_delete(*, match: OfferMatch) -> None:
    match.delete()
    offer_catalog_forget()


@transaction.atomic
def offer_dismiss(*, profile: Profile, offer: Offer) -> Declaration:
    """ "Not interested": declared under `personalization` together with the offers the
    customer declined before, so it shows in their preference center, where deleting it
    brings the offers back. The offer is not shown again and similar ones rank lower.

    Refused, storing nothing, without a current grant of `personalization`.
    """
    attribute = offer_choice_sync(offers=[offer])
    if attribute is None:
        raise ApplicationError(_("To save this, first agree to personalised offers."))
    # Read and extend under the profile's lock: two quick "not interested" both count.
    profile_lock(profile=profile)
    told = declaration_list_usable(profile_ids=[profile.pk], attribute=attribute).first()
    declined = told.value if told is not None and isinstance(told.value, list) else []
    return preference_declare(
        profile=profile,
        attribute=attribute,
        value=[*declined, offer.key],
        source=Source.OFFER_FEEDBACK,
        source_ref=f"offer:{offer.key}",
        source_label=offer.title,
    )


def offers_shown(*, profile: Profile, offers: list[Offer]) -> None:
    """Note what a customer was shown, for the weekly number they chose."""
    OfferImpression.objects.bulk_create(
        [OfferImpression(profile=profile, offer=offer) for offer in offers]
    )


@transaction.atomic
def offer_settings_save(
    *, profile: Profile, paused: bool, max_per_week: int | None
) -> OfferSettings:
    if max_per_week is not None and not 1 <= max_per_week <= 50:
        raise ApplicationError(_("Choose between 1 and 50 offers a week, or no limit."))
    chosen, _created = OfferSettings.objects.update_or_create(
        profile=profile, defaults={"paused": paused, "max_per_week": max_per_week}
    )
    return chosen
