"""The home page's campaign cards: the same for everybody, with where one customer stands."""

import math
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count
from django.utils import timezone

from apps.campaigns.events import QuizCompleted
from apps.campaigns.models import Campaign, Participation
from apps.campaigns.selectors.catalog import (
    CAMPAIGNS_VERSION,
    campaign_list_live,
    participation_next_round_at,
)
from apps.core.process_cache import ProcessCache
from apps.loyalty.selectors import points_offered_for
from apps.profiles.models import Profile

# What the home page tells about a campaign before anyone opens it.
SECONDS_PER_QUESTION = 20
NEW_FOR = timedelta(days=7)
ENDS_SOON_WITHIN = timedelta(days=3)
# The same for everybody, so each process keeps it; a change to a campaign is seen at once,
# a change to the earning rules and the passing of time within a minute.
HOME_CARDS = ProcessCache("campaigns.home-cards", follows=(CAMPAIGNS_VERSION,), max_age=60)


@dataclass(frozen=True)
class CampaignCard:
    campaign: Campaign
    minutes: int
    points: int
    is_new: bool
    ends_soon: bool


@dataclass(frozen=True)
class CampaignPlayed:
    """Where one customer stands with a campaign: finished (and when it opens again) or
    begun."""

    completed: bool
    again_on: date | None = None
    may_play_again: bool = False


@dataclass(frozen=True)
class HomeCard:
    card: CampaignCard
    played: CampaignPlayed | None


def _cards_live() -> list[CampaignCard]:
    now = timezone.now()
    campaigns = list(campaign_list_live().annotate(question_count=Count("questions")))
    if not campaigns:
        return []
    points = points_offered_for(
        event_name=QuizCompleted.name,
        payloads={c.pk: {"campaign": c.slug, "kind": c.kind} for c in campaigns},
    )
    cards = []
    for campaign in campaigns:
        seconds = min(campaign.seconds_per_question or SECONDS_PER_QUESTION, SECONDS_PER_QUESTION)
        cards.append(
            CampaignCard(
                campaign=campaign,
                minutes=max(1, math.ceil(campaign.question_count * seconds / 60)),
                points=points[campaign.pk],
                is_new=campaign.published_at is not None and campaign.published_at > now - NEW_FOR,
                ends_soon=campaign.ends_at is not None
                and campaign.ends_at <= now + ENDS_SOON_WITHIN,
            )
        )
    return cards


def campaign_cards_live() -> list[CampaignCard]:
    """The live campaigns as the home page shows them to everybody: how long each takes, the
    points for finishing it, new or ending soon. Two queries, kept by each process."""
    return HOME_CARDS.get(_cards_live)


def campaign_played(
    *, profile: Profile | None, campaigns: list[Campaign]
) -> dict[int, CampaignPlayed]:
    """Per campaign id, how far this customer got in its latest round: one query, none for a
    first visit."""
    if not profile or not campaigns:
        return {}
    by_id = {campaign.pk: campaign for campaign in campaigns}
    latest: dict[int, Participation] = {}
    for participation in Participation.objects.filter(
        profile=profile, campaign_id__in=by_id
    ).order_by("campaign_id", "-round"):
        latest.setdefault(participation.campaign_id, participation)
    now = timezone.now()
    played = {}
    for campaign_id, participation in latest.items():
        participation.campaign, participation.profile = by_id[campaign_id], profile
        again_at = participation_next_round_at(participation=participation)
        played[campaign_id] = CampaignPlayed(
            completed=participation.is_completed,
            again_on=again_at and timezone.localtime(again_at, profile.zone).date(),
            may_play_again=again_at is not None and again_at <= now,
        )
    return played


def home_cards_for(*, profile: Profile | None) -> list[HomeCard]:
    """The home page's live campaigns, with where this customer stands in each."""
    cards = campaign_cards_live()
    played = campaign_played(profile=profile, campaigns=[card.campaign for card in cards])
    return [HomeCard(card, played.get(card.campaign.pk)) for card in cards]
