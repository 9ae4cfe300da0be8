from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.consent.selectors import consent_granted_purpose_ids
from apps.personalization.models import Offer, OfferDismissal, OfferMatch, Segment
from apps.personalization.rules import PERSONALIZATION, rule_compile
from apps.preferences.models import Attribute, Declaration
from apps.profiles.models import Profile

# How fast an answer without its own freshness loses weight: half every 180 days.
DEFAULT_HALF_LIFE_DAYS = 180

SAMPLE_SIZE = 10


def segment_profiles(*, segment: Segment) -> QuerySet[Profile]:
    """Everyone in the segment now, in one query; a withdrawal counts on the next read."""
    return Profile.objects.exclude(kind=Profile.Kind.MERGED).filter(
        rule_compile(segment.rule, segment_key=segment.key)
    )


def rule_preview(*, rule: object) -> tuple[int, list[str]]:
    """How many customers a rule being edited matches, and a sample of pseudonymous ids."""
    profiles = Profile.objects.exclude(kind=Profile.Kind.MERGED).filter(rule_compile(rule))
    sample = [
        str(public_id) for public_id in profiles.values_list("public_id", flat=True)[:SAMPLE_SIZE]
    ]
    return profiles.count(), sample


def profile_in_segment(*, profile: Profile, segment: Segment) -> bool:
    return segment_profiles(segment=segment).filter(pk=profile.pk).exists()


@dataclass(frozen=True)
class Recommendation:
    offer: Offer
    score: float
    explanation: str


def _half_life_days(attribute: Attribute) -> int:
    return attribute.freshness_days or DEFAULT_HALF_LIFE_DAYS


def _matches(told: object, value: str) -> bool:
    return value in told if isinstance(told, list) else str(told) == value


def recommendations(*, profile: Profile | None, limit: int = 5) -> list[Recommendation]:
    """Offers ranked for one customer from what they declared, and only that: each matching
    value counts with its weight, halving with every half-life since it was last confirmed.
    Only declarations whose purpose is granted now count (special categories included, which
    only their own explicit purpose allows), and nothing at all without `personalization`.
    Each recommendation says why, in the customer's words. A handful of queries."""
    if profile is None:
        return []
    granted = consent_granted_purpose_ids(profile=profile)
    if not any(key == PERSONALIZATION for key in granted.values()):
        return []
    declarations = {
        d.attribute_id: d
        for d in Declaration.objects.filter(profile=profile, attribute__purpose_id__in=granted)
    }
    if not declarations:
        return []
    offers = list(
        Offer.objects.running()
        .select_related("segment")
        .prefetch_related("matches__attribute__values")
    )
    dismissed = set(
        OfferDismissal.objects.filter(profile=profile).values_list("offer_id", flat=True)
    )
    declined = {
        (match.attribute_id, match.value)
        for offer in offers
        if offer.pk in dismissed
        for match in offer.matches.all()
    }
    now = timezone.now()
    ranked = []
    for offer in offers:
        if offer.pk in dismissed:
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
        if offer.segment_id and not profile_in_segment(profile=profile, segment=offer.segment):
            continue
        ranked.append(Recommendation(offer, round(score, 4), _explanation(*best[1:])))
    ranked.sort(key=lambda r: (-r.score, -r.offer.priority, r.offer.key))
    return ranked[:limit]


def _explanation(match: OfferMatch, declaration: Declaration) -> str:
    labels = {value.key: value.label for value in match.attribute.values.all()}
    declaration.attribute = match.attribute
    return _("Because you told us “%(value)s” for “%(attribute)s” %(where)s.") % {
        "value": labels.get(match.value, match.value),
        "attribute": match.attribute.label,
        "where": declaration.source_sentence,
    }
