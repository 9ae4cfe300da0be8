from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from apps.core.events import publish
from apps.core.images import image_renditions
from apps.loyalty.events import BadgeAwarded
from apps.loyalty.models import Badge, BadgeAward, Tier
from apps.profiles.models import Profile

BADGE_IMAGE_SIZES = {"image": 400, "thumbnail": 120}


@transaction.atomic
def badge_save(*, badge: Badge, image: UploadedFile | None = None) -> Badge:
    """Create or change a badge; an upload becomes clean square renditions without EXIF."""
    badge.full_clean(exclude=["image", "thumbnail"])
    if image is not None:
        renditions = image_renditions(image, BADGE_IMAGE_SIZES)
        for field, rendition in renditions.items():
            getattr(badge, field).save(f"{badge.key}-{rendition.name}", rendition, save=False)
    badge.save()
    return badge


@transaction.atomic
def badge_award(*, profile: Profile, badge: Badge, reason: str) -> BadgeAward | None:
    """Award once; a second award of the same badge is no award (None)."""
    try:
        with transaction.atomic():
            award = BadgeAward.objects.create(profile=profile, badge=badge, reason=reason[:200])
    except IntegrityError:
        return None
    publish(BadgeAwarded(profile=str(profile.public_id), badge=badge.key, reason=award.reason))
    return award


def badges_award_for_tier(*, profile: Profile, tier_key: str | None) -> list[BadgeAward]:
    if not tier_key:
        return []
    tier = Tier.objects.filter(key=tier_key).first()
    if tier is None:
        return []
    reached = Badge.objects.filter(tier__threshold__lte=tier.threshold)
    awards = [
        badge_award(profile=profile, badge=badge, reason=f"tier:{tier_key}") for badge in reached
    ]
    return [award for award in awards if award]


def badges_award_for_challenge_count(*, profile: Profile, completed: int) -> list[BadgeAward]:
    earned = Badge.objects.filter(challenges_completed__lte=completed)
    awards = [
        badge_award(profile=profile, badge=badge, reason=f"challenges:{completed}")
        for badge in earned
    ]
    return [award for award in awards if award]
