from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.events import publish
from apps.core.exceptions import ApplicationError
from apps.personalization.models import (
    Offer,
    OfferDismissal,
    OfferImpression,
    OfferSettings,
    Segment,
    SegmentMember,
)
from apps.personalization.rules import rule_compile
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
    return segment


@transaction.atomic
def segment_members_forget(*, profile: Profile) -> int:
    """After a withdrawal: out of every stored list at once; the next update puts the
    customer back wherever the rule still holds without that consent."""
    deleted, _kinds = SegmentMember.objects.filter(profile=profile).delete()
    return deleted


@transaction.atomic
def offer_dismiss(*, profile: Profile, offer: Offer) -> OfferDismissal:
    """ "Not interested": the offer is not shown again and similar ones rank lower."""
    dismissal, created = OfferDismissal.objects.get_or_create(profile=profile, offer=offer)
    if created:
        publish("offer.dismissed", {"profile": str(profile.public_id), "offer": offer.key})
    return dismissal


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
