"""Offers ranked for one customer from what they declared."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.campaigns.selectors import participation_list_completed
from apps.consent.selectors import consent_state_list_granted
from apps.personalization.models import (
    Offer,
    OfferImpression,
    OfferMatch,
    Segment,
)
from apps.personalization.rules import PERSONALIZATION
from apps.personalization.selectors.catalog import offer_catalog
from apps.personalization.selectors.segments import profile_in_segment
from apps.preferences.models import Attribute, AttributeValue, Declaration
from apps.preferences.selectors import declaration_list_usable
from apps.profiles.models import Profile

# How fast an answer without its own freshness loses weight: half every 180 days.
DEFAULT_HALF_LIFE_DAYS = 180


@dataclass(frozen=True)
class Recommendation:
    offer: Offer
    score: float
    explanation: str


def _half_life_days(attribute: Attribute) -> int:
    return attribute.freshness_days or DEFAULT_HALF_LIFE_DAYS


def _matches(told: object, value: str) -> bool:
    return value in told if isinstance(told, list) else str(told) == value


def recommendations(
    *,
    profile: Profile | None,
    limit: int = 5,
    push: bool = False,
    purpose_keys: Collection[str] | None = None,
) -> list[Recommendation]:
    """Offers ranked for one customer from what they declared, and only that: each matching
    value counts with its weight, halving with every half-life since it was last confirmed.
    Only declarations whose purpose is granted now count (special categories included, which
    only their own explicit purpose allows), and nothing at all without `personalization`.
    Offers the customer said "not interested" to (declared under `personalization` too) are
    left out, and the values they matched count half for the others.
    Each recommendation says why, in the customer's words. Three small queries with the
    offer catalog cached, one more when an offer invites to a campaign (has the customer
    played it?) and one for the segments of matching offers that target one. `purpose_keys` narrows the answers that count further, for a reader allowed
    only some purposes (a partner)."""
    if profile is None:
        return []
    held_back, weekly = _guardrails(profile)
    catalog = offer_catalog()
    granted = {
        purpose_id: catalog.purpose_keys.get(purpose_id)
        for purpose_id in consent_state_list_granted(profile=profile).values_list(
            "purpose_id", flat=True
        )
    }
    if held_back or PERSONALIZATION not in granted.values() or (push and _quiet_now(profile)):
        return []
    if purpose_keys is not None:
        granted = {pk: key for pk, key in granted.items() if key in purpose_keys}
    counting = [
        attribute_id
        for attribute_id, purpose_id in catalog.purpose_of_attribute.items()
        if purpose_id in granted
    ]
    declarations = {
        d.attribute_id: d
        for d in declaration_list_usable(profile_ids=[profile.pk])
        .filter(attribute_id__in=counting)
        .defer("consent_event_id")
    }
    if not declarations:
        return []
    told_not_interested = declarations.get(catalog.not_interested_id)
    dismissed = set(told_not_interested.value) if told_not_interested else set()
    now = timezone.now()
    offers = catalog.running(now)
    played = _campaigns_played(profile, [o.campaign for o in offers if o.campaign_id])
    offers = [o for o in offers if not o.campaign_id or o.campaign_id not in played]
    declined = {
        (match.attribute_id, match.value)
        for offer in offers
        if offer.key in dismissed
        for match in offer.matches.all()
    }
    ranked, reasons = [], {}
    membership: dict[int, bool] = {}
    segments: dict[int, Segment] | None = None
    for offer in offers:
        if offer.key in dismissed:
            continue
        score, best = 0.0, None
        for match in offer.matches.all():
            declaration = declarations.get(match.attribute_id)
            if declaration is None or not _matches(declaration.value, match.value):
                continue
            age_days = max((now - declaration.confirmed_at).days, 0)
            weight = match.weight * 0.5 ** (age_days / _half_life_days(match.attribute))
            if (match.attribute_id, match.value) in declined:
                weight /= 2
            score += weight
            if best is None or weight > best[0]:
                best = (weight, match, declaration)
        if best is None:
            continue
        if offer.segment_id:
            if segments is None:
                # Read fresh, not with the catalog: a rule or its stored members change often.
                segments = Segment.objects.in_bulk({o.segment_id for o in offers if o.segment_id})
            if offer.segment_id not in membership:
                segment = segments.get(offer.segment_id)
                membership[offer.segment_id] = segment is not None and profile_in_segment(
                    profile=profile, segment=segment
                )
            if not membership[offer.segment_id]:
                continue
        ranked.append((round(score, 4), offer))
        reasons[offer.pk] = best[1:]
    ranked.sort(key=lambda item: (-item[0], -item[1].priority, item[1].key))
    chosen = _within_frequency(profile, weekly, ranked)[:limit]
    return [
        Recommendation(offer, score, _explanation(*reasons[offer.pk], catalog.labels))
        for score, offer in chosen
    ]


def _campaigns_played(profile: Profile, campaigns: list) -> set[int]:
    """Campaigns an invitation would be wasted on: played and not open again yet for this
    customer, or for members only while the customer is not one."""
    if not campaigns:
        return set()
    closed = {c.pk for c in campaigns if c.requires_sign_in and not profile.is_member}
    now = timezone.now()
    by_id = {c.pk: c for c in campaigns}
    for campaign_id, completed_at in (
        participation_list_completed(profile_ids=[profile.pk])
        .filter(campaign_id__in=list(by_id))
        .values_list("campaign_id", "completed_at")
    ):
        again = by_id[campaign_id].repeat_after_days
        if again is None or completed_at > now - timedelta(days=again):
            closed.add(campaign_id)
    return closed


def _guardrails(profile: Profile) -> tuple[bool, int | None]:
    """What holds offers back, in one query: a care flag or a pause; and the weekly number
    the customer chose."""
    care_flag, paused, weekly = (
        Profile.objects.filter(pk=profile.pk)
        .values_list("care_flag__id", "offer_settings__paused", "offer_settings__max_per_week")
        .get()
    )
    return bool(care_flag or paused), weekly


def _quiet_now(profile: Profile) -> bool:
    """Nothing is pushed during the customer's quiet hours, counted in their own time zone."""
    start, end = settings.OFFER_QUIET_HOURS
    hour = timezone.localtime(timezone.now(), profile.zone).hour
    return start <= hour or hour < end if start > end else start <= hour < end


def _within_frequency(profile: Profile, weekly: int | None, ranked: list) -> list:
    """At most the customer's number of new offers a week; those already shown may return."""
    if weekly is None:
        return ranked
    shown = set(
        OfferImpression.objects.filter(
            profile=profile, shown_at__gte=timezone.now() - timedelta(days=7)
        ).values_list("offer_id", flat=True)
    )
    allowed, new = [], len(shown)
    for score, offer in ranked:
        if offer.pk in shown:
            allowed.append((score, offer))
        elif new < weekly:
            allowed.append((score, offer))
            new += 1
    return allowed


def _explanation(
    match: OfferMatch, declaration: Declaration, labels: dict[tuple[int, str], AttributeValue]
) -> str:
    declaration.attribute = match.attribute
    value = labels.get((match.attribute_id, match.value))
    return _("Because you told us “%(value)s” for “%(attribute)s” %(where)s.") % {
        "value": value.label if value else match.value,
        "attribute": match.attribute.label,
        "where": declaration.source_sentence,
    }
