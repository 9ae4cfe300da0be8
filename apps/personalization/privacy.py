"""Personalization's part of a data-subject export and erasure (see apps.privacy.registry)."""

from django.db import transaction

from apps.personalization.models import (
    OFFERS_NOT_INTERESTED,
    CareFlag,
    ChurnScore,
    Offer,
    OfferImpression,
    OfferSettings,
    SegmentMember,
)
from apps.personalization.selectors import profile_in_segment, segment_list
from apps.preferences.selectors import declaration_list_told
from apps.profiles.models import Profile
from apps.profiles.selectors import profile_and_merged_ids


def _offers_declined(profile: Profile) -> list[dict]:
    """ "Not interested" is kept as a declaration (its values are offer keys), so it is also
    in the preferences part; here it reads as the offers it names."""
    declaration = (
        declaration_list_told(profile=profile).filter(attribute__key=OFFERS_NOT_INTERESTED).first()
    )
    keys = declaration.value if declaration and isinstance(declaration.value, list) else []
    titles = {offer.key: offer.title for offer in Offer.objects.filter(key__in=keys)}
    return [
        {"offer": key, "title": titles.get(key, key), "since": declaration.declared_at}
        for key in keys
    ]


def export(profile: Profile) -> dict:
    ids = profile_and_merged_ids(profile=profile)
    churn = ChurnScore.objects.filter(profile=profile).first()
    settings = OfferSettings.objects.filter(profile=profile).first()
    care = CareFlag.objects.filter(profile=profile).first()
    return {
        # Every segment's rule decides anew, as personalization itself reads it now.
        "segments": [
            {
                "segment": segment.key,
                "name": segment.name,
                "why": segment.description,
                "rule": segment.rule,
            }
            for segment in segment_list()
            if profile_in_segment(profile=profile, segment=segment)
        ],
        "offers_declined": _offers_declined(profile),
        "offers_shown": [
            {
                "offer": impression.offer.key,
                "title": impression.offer.title,
                "at": impression.shown_at,
            }
            for impression in OfferImpression.objects.filter(profile__in=ids)
            .select_related("offer")
            .order_by("shown_at", "pk")
        ],
        "offer_settings": (
            {"paused": settings.paused, "at_most_per_week": settings.max_per_week}
            if settings
            else None
        ),
        "churn_risk": (
            {
                "score": churn.score,
                "band": churn.band,
                "what_drives_it": churn.contributions,
                "computed_at": churn.computed_at,
            }
            if churn
            else None
        ),
        "no_promotions": {"reason": care.reason, "since": care.created_at} if care else None,
    }


@transaction.atomic
def erase(profile: Profile) -> dict[str, int]:
    """Everything derived about the person goes: stored segment memberships, offers shown,
    settings, churn risk and care flags. What they declined is a declaration (preferences)."""
    ids = profile_and_merged_ids(profile=profile)
    counts = {}
    for name, model in (
        ("segment_memberships", SegmentMember),
        ("offers_shown", OfferImpression),
        ("offer_settings", OfferSettings),
        ("churn_scores", ChurnScore),
        ("care_flags", CareFlag),
    ):
        counts[name], _kinds = model.objects.filter(profile__in=ids).delete()
    return counts
