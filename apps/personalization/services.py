from django.db import transaction

from apps.core.events import publish
from apps.personalization.models import Offer, OfferDismissal, Segment
from apps.personalization.rules import rule_compile
from apps.profiles.models import Profile


@transaction.atomic
def segment_save(*, segment: Segment) -> Segment:
    """Save a segment whose rule compiles; a RuleError says what to fix and nothing is saved."""
    rule_compile(segment.rule, segment_key=segment.key)
    segment.full_clean()
    segment.save()
    return segment


@transaction.atomic
def offer_dismiss(*, profile: Profile, offer: Offer) -> OfferDismissal:
    """ "Not interested": the offer is not shown again and similar ones rank lower."""
    dismissal, created = OfferDismissal.objects.get_or_create(profile=profile, offer=offer)
    if created:
        publish("offer.dismissed", {"profile": str(profile.public_id), "offer": offer.key})
    return dismissal
