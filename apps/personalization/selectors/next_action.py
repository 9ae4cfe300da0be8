"""The single most valuable next step for a returning customer."""

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.campaigns.selectors import campaign_attributes_live, participation_list_completed
from apps.loyalty.selectors import account_for_profile, reward_catalogue
from apps.personalization.models import (
    Offer,
)
from apps.personalization.selectors.recommendations import recommendations
from apps.preferences.models import Declaration
from apps.preferences.selectors import declaration_list_told, declaration_list_usable
from apps.profiles.models import Profile


@dataclass(frozen=True)
class NextAction:
    kind: str  # "quiz", "reconfirm", "reward" or "offer"
    title: str
    reason: str
    url: str
    value: float
    offer: Offer | None = None


# What a step is worth, so different kinds compare: a quiz by the answers it would add.
VALUE_PER_NEW_ANSWER = 10
VALUE_OF_RECONFIRMING = 8
VALUE_OF_AN_AFFORDABLE_REWARD = 6
VALUE_PER_OFFER_SCORE = 5


def next_best_action(
    *, profile: Profile | None, purpose_keys: Collection[str] | None = None
) -> NextAction | None:
    """The single most valuable next step for a returning customer, with the reason: a quiz
    that fills the biggest gap in what we know, a stale answer to reconfirm, a reward they can
    afford, or the best offer. None for a first-time visitor. With `purpose_keys`, only answers
    under those purposes are looked at (for a partner allowed only some)."""
    if profile is None:
        return None
    candidates = [
        _quiz_filling_a_gap(profile, purpose_keys),
        _stale_answer(profile, purpose_keys),
        _affordable_reward(profile),
        _best_offer(profile, purpose_keys),
    ]
    candidates = [candidate for candidate in candidates if candidate is not None]
    return max(candidates, key=lambda action: action.value, default=None)


def _answers(profile: Profile, purpose_keys: Collection[str] | None) -> QuerySet[Declaration]:
    return declaration_list_usable(profile_ids=[profile.pk], purpose_keys=purpose_keys)


def _quiz_filling_a_gap(profile: Profile, purpose_keys=None) -> NextAction | None:
    # The customer is told what a quiz asks that they have not told us yet, so on their own
    # page an answer under a withdrawn purpose still counts as told; a partner sees only what
    # it may use.
    told = (
        declaration_list_told(profile=profile)
        if purpose_keys is None
        else _answers(profile, purpose_keys)
    )
    declared = set(told.values_list("attribute_id", flat=True))
    played = set(
        participation_list_completed(profile_ids=[profile.pk]).values_list("campaign_id", flat=True)
    )
    gaps = [
        (len(attributes - declared), campaign)
        for campaign, attributes in campaign_attributes_live().items()
        if campaign.pk not in played and attributes - declared
    ]
    if not gaps:
        return None
    new_answers, campaign = max(gaps, key=lambda gap: (gap[0], -gap[1].position))
    return NextAction(
        "quiz",
        campaign.title,
        ngettext(
            "It asks one thing you have not told us yet.",
            "It asks %(count)s things you have not told us yet.",
            new_answers,
        )
        % {"count": new_answers},
        campaign.get_absolute_url(),
        new_answers * VALUE_PER_NEW_ANSWER,
    )


def _stale_answer(profile: Profile, purpose_keys=None) -> NextAction | None:
    stale = [
        declaration
        for declaration in _answers(profile, purpose_keys)
        .filter(attribute__freshness_days__isnull=False)
        .select_related("attribute")
        if declaration.is_stale
    ]
    if not stale:
        return None
    oldest = min(stale, key=lambda declaration: declaration.confirmed_at)
    return NextAction(
        "reconfirm",
        oldest.attribute.label,
        _("You told us this a while ago: is it still true?"),
        f"{reverse('preferences:center')}#pref-{oldest.attribute.key}",
        VALUE_OF_RECONFIRMING,
    )


def _affordable_reward(profile: Profile) -> NextAction | None:
    account = account_for_profile(profile=profile)
    if account is None or account.balance <= 0:
        return None
    threshold = account.tier.threshold if account.tier else -1
    reward = (
        reward_catalogue()
        .filter(cost__lte=account.balance)
        .filter(Q(stock__isnull=True) | Q(stock__gt=0))
        .filter(Q(minimum_tier__isnull=True) | Q(minimum_tier__threshold__lte=threshold))
        .order_by("-cost")
        .first()
    )
    if reward is None:
        return None
    return NextAction(
        "reward",
        reward.title,
        _("You have %(points)s points: enough for this.") % {"points": account.balance},
        reverse("loyalty:redeem", args=[reward.pk]),
        VALUE_OF_AN_AFFORDABLE_REWARD,
    )


def _best_offer(profile: Profile, purpose_keys=None) -> NextAction | None:
    ranked = recommendations(profile=profile, limit=1, push=True, purpose_keys=purpose_keys)
    if not ranked:
        return None
    best = ranked[0]
    return NextAction(
        "offer",
        best.offer.title,
        best.explanation,
        best.offer.target_url or reverse("personalization:for-you"),
        best.score * VALUE_PER_OFFER_SCORE,
        best.offer,
    )
