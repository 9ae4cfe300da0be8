import logging
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from redis.exceptions import RedisError

from apps.campaigns.models import Participation
from apps.campaigns.selectors import campaign_attributes_live
from apps.consent.models import ConsentState, Purpose
from apps.consent.selectors import consent_granted_exists
from apps.loyalty.selectors import account_for_profile, reward_catalogue
from apps.personalization.materialize import segment_members_q
from apps.personalization.models import (
    OFFERS_NOT_INTERESTED,
    Offer,
    OfferImpression,
    OfferMatch,
    Segment,
)
from apps.personalization.rules import PERSONALIZATION, RuleError, rule_compile
from apps.preferences.models import Attribute, AttributeValue, Declaration
from apps.profiles.models import Profile

logger = logging.getLogger(__name__)

# How fast an answer without its own freshness loses weight: half every 180 days.
DEFAULT_HALF_LIFE_DAYS = 180

SAMPLE_SIZE = 10

local_cache = caches["local"]


def segment_list() -> QuerySet[Segment]:
    return Segment.objects.all()


def segment_get(*, key: str) -> Segment | None:
    return Segment.objects.filter(key=key).first()


def segment_profiles(*, segment: Segment) -> QuerySet[Profile]:
    """Everyone in the segment now, in one query; a withdrawal counts on the next read.

    A materialised segment reads its stored members, still filtered by current consent, so a
    withdrawal counts at once there too.
    """
    profiles = Profile.objects.exclude(kind=Profile.Kind.MERGED)
    if segment.materialize and segment.materialized_at is not None:
        return profiles.filter(segment_members_q(segment)).filter(
            consent_granted_exists(purpose_key=PERSONALIZATION)
        )
    return profiles.filter(rule_compile(segment.rule, segment_key=segment.key))


def rule_preview(*, rule: object) -> tuple[int, list[str]]:
    """How many customers a rule being edited matches, and a sample of pseudonymous ids."""
    profiles = Profile.objects.exclude(kind=Profile.Kind.MERGED).filter(rule_compile(rule))
    sample = [
        str(public_id) for public_id in profiles.values_list("public_id", flat=True)[:SAMPLE_SIZE]
    ]
    return profiles.count(), sample


def profile_in_segment(*, profile: Profile, segment: Segment) -> bool:
    """Membership; a stored rule that no longer compiles (a segment or tier it names was
    removed) makes nobody a member rather than failing the customer's page."""
    try:
        return segment_profiles(segment=segment).filter(pk=profile.pk).exists()
    except RuleError:
        logger.warning("Segment %s has a rule that no longer compiles.", segment.key)
        return False


@dataclass(frozen=True)
class Recommendation:
    offer: Offer
    score: float
    explanation: str


def _half_life_days(attribute: Attribute) -> int:
    return attribute.freshness_days or DEFAULT_HALF_LIFE_DAYS


def _matches(told: object, value: str) -> bool:
    return value in told if isinstance(told, list) else str(told) == value


OFFER_CATALOG_CACHE_KEY = "personalization:offer-catalog:{version}"
# In the shared cache: every process keeps the catalog of the version it read, and a change
# anywhere makes a new version.
OFFER_CATALOG_VERSION_KEY = "personalization:offer-catalog-version"
OFFER_CATALOG_SECONDS = 60


@dataclass(frozen=True)
class OfferCatalog:
    """Every active offer with what it matches and the campaign it may invite to, and the
    words for the matched values: the same for all customers."""

    offers: tuple[Offer, ...]
    labels: dict[tuple[int, str], AttributeValue]
    # The purpose of every attribute that counts: those offers match, and "not interested".
    purpose_of_attribute: dict[int, int]
    not_interested_id: int | None
    purpose_keys: dict[int, str]

    def running(self, now) -> list[Offer]:
        """Offers within their schedule whose campaign, if they invite to one, runs now."""
        return [
            offer
            for offer in self.offers
            if (offer.starts_at is None or offer.starts_at <= now)
            and (offer.ends_at is None or offer.ends_at > now)
            and (offer.campaign_id is None or offer.campaign.is_running)
        ]


def _offer_catalog_version() -> str | None:
    try:
        return cache.get_or_set(OFFER_CATALOG_VERSION_KEY, _new_version, timeout=None)
    except (RedisError, OSError):
        return None


def _new_version() -> str:
    return uuid.uuid4().hex


def offer_catalog() -> OfferCatalog:
    """Kept by each process, since every recommendation needs it, for the catalog version
    named in the shared cache: saving or deleting an offer, match, campaign, segment,
    attribute, value or purpose anywhere names a new one (see `receivers`). While Redis
    cannot be reached it is read every time; without Redis at all (one process, in
    development) the version is that process's own. Kept a minute at most either way.
    Schedules are checked on each use."""
    version = _offer_catalog_version()
    key = OFFER_CATALOG_CACHE_KEY.format(version=version)
    catalog = local_cache.get(key) if version else None
    if catalog is None:
        offers = tuple(
            Offer.objects.filter(is_active=True)
            .select_related("campaign")
            .prefetch_related(
                Prefetch("matches", queryset=OfferMatch.objects.select_related("attribute"))
            )
        )
        attribute_ids = {match.attribute_id for offer in offers for match in offer.matches.all()}
        labels = {
            (value.attribute_id, value.key): value
            for value in AttributeValue.objects.filter(attribute_id__in=attribute_ids)
        }
        purpose_of_attribute = {
            match.attribute_id: match.attribute.purpose_id
            for offer in offers
            for match in offer.matches.all()
        }
        not_interested = (
            Attribute.objects.filter(key=OFFERS_NOT_INTERESTED)
            .values_list("pk", "purpose_id")
            .first()
        )
        if not_interested:
            purpose_of_attribute[not_interested[0]] = not_interested[1]
        catalog = OfferCatalog(
            offers,
            labels,
            purpose_of_attribute,
            not_interested and not_interested[0],
            dict(Purpose.objects.values_list("pk", "key")),
        )
        if version:
            local_cache.set(key, catalog, OFFER_CATALOG_SECONDS)
    return catalog


def offer_catalog_forget() -> None:
    """Name a new catalog version now, and again at commit, so no process keeps what was
    just replaced (nor reads it again before the change is visible)."""

    def renew() -> None:
        try:
            cache.set(OFFER_CATALOG_VERSION_KEY, _new_version(), timeout=None)
        except (RedisError, OSError):
            logger.warning("The offer catalog version could not be renewed.")

    renew()
    transaction.on_commit(renew)


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
        for purpose_id in ConsentState.objects.granted()
        .filter(profile=profile)
        .values_list("purpose_id", flat=True)
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
        for d in Declaration.objects.filter(profile=profile, attribute_id__in=counting).defer(
            "consent_event_id"
        )
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
    for campaign_id, completed_at in Participation.objects.filter(
        profile=profile, campaign_id__in=list(by_id), completed_at__isnull=False
    ).values_list("campaign_id", "completed_at"):
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
    answers = Declaration.objects.filter(profile=profile)
    if purpose_keys is not None:
        answers = answers.filter(attribute__purpose__key__in=list(purpose_keys))
    return answers


def _quiz_filling_a_gap(profile: Profile, purpose_keys=None) -> NextAction | None:
    declared = set(_answers(profile, purpose_keys).values_list("attribute_id", flat=True))
    played = set(
        Participation.objects.filter(profile=profile, completed_at__isnull=False).values_list(
            "campaign_id", flat=True
        )
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
