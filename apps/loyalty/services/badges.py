from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Subquery

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


def badges_award_for_tier(*, profile_public_id: str, tier_key: str | None) -> list[BadgeAward]:
    """Award the badges of this tier and those below it. Most tiers carry none: then one
    query answers, and the profile is not read."""
    if not tier_key:
        return []
    threshold = Tier.objects.filter(key=tier_key).values("threshold")[:1]
    reached = list(Badge.objects.filter(tier__threshold__lte=Subquery(threshold)))
    return _award_each(profile_public_id, reached, reason=f"tier:{tier_key}")


def badges_award_for_challenge_count(*, profile_public_id: str, completed: int) -> list[BadgeAward]:
    earned = list(Badge.objects.filter(challenges_completed__lte=completed))
    return _award_each(profile_public_id, earned, reason=f"challenges:{completed}")


def _award_each(profile_public_id: str, badges: list[Badge], *, reason: str) -> list[BadgeAward]:
    if not badges:
        return []
    profile = Profile.objects.filter(public_id=profile_public_id).first()
    if profile is None:
        return []
    awards = [badge_award(profile=profile, badge=badge, reason=reason) for badge in badges]
    return [award for award in awards if award]
