"""Shared results. A card is named by a key that holds nothing personal: an outcome's key, a
trivia score ("score-7-of-10") or "taken-part". The shared link is the campaign's public page
with that key, so a messenger's preview shows the card and never the player's own page."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.campaigns.models import Campaign, Outcome, Participation

TAKEN_PART = "taken-part"
CARD_KEY = re.compile(r"[-a-zA-Z0-9_]{1,80}")
SCORE_KEY = re.compile(r"score-(?P<score>\d{1,3})-of-(?P<total>\d{1,3})")


@dataclass(frozen=True)
class ShareCard:
    key: str
    headline: str
    description: str
    image_name: str = ""


@dataclass(frozen=True)
class ShareLinks:
    """What a page tells messengers (Open Graph, Twitter cards) and what the share button sends."""

    title: str
    description: str
    page_url: str
    image_url: str
    image_alt: str
    card_url: str = ""


def _outcome_card(campaign: Campaign, outcome: Outcome) -> ShareCard:
    return ShareCard(
        outcome.key,
        outcome.title,
        outcome.text or campaign.intro,
        outcome.image.name if outcome.image else "",
    )


def _score_card(campaign: Campaign, score: int, total: int) -> ShareCard:
    headline = _("%(score)s of %(total)s right") % {"score": score, "total": total}
    return ShareCard(f"score-{score}-of-{total}", headline, campaign.intro)


def share_card_of(*, participation: Participation, total: int) -> ShareCard:
    """The card of a finished play: its outcome, its trivia score, or that they took part."""
    campaign = participation.campaign
    if participation.outcome:
        return _outcome_card(campaign, participation.outcome)
    if campaign.kind == Campaign.Kind.TRIVIA and total:
        return _score_card(campaign, participation.score, total)
    return ShareCard(TAKEN_PART, _("I took part!"), campaign.intro)


def share_card_for(*, campaign: Campaign, key: str) -> ShareCard | None:
    """The card a key names, or None when the campaign has no such result."""
    if key == TAKEN_PART:
        return ShareCard(TAKEN_PART, _("I took part!"), campaign.intro)
    if not CARD_KEY.fullmatch(key):
        # Keys are slugs; anything else (a NUL byte, say) names no result and needs no query.
        return None
    if campaign.kind == Campaign.Kind.TRIVIA:
        match = SCORE_KEY.fullmatch(key)
        if match is None:
            return None
        score, total = int(match["score"]), int(match["total"])
        if not 0 <= score <= total or not 1 <= total <= campaign.questions.count():
            return None
        return _score_card(campaign, score, total)
    outcome = campaign.outcomes.filter(key=key).first()
    return _outcome_card(campaign, outcome) if outcome else None


def share_links(
    *, campaign: Campaign, card: ShareCard | None, absolute: Callable[[str], str]
) -> ShareLinks:
    """Links for a page about the campaign: with a card, the public page of that result;
    without, the campaign's own page with the card of taking part (a PNG, which every
    messenger shows, unlike the hero picture's WebP)."""
    intro = reverse("campaigns:intro", args=[campaign.slug])
    if card is None:
        card_url = reverse("campaigns:card", args=[campaign.slug, TAKEN_PART])
        return ShareLinks(
            campaign.title,
            campaign.intro,
            absolute(intro),
            absolute(card_url),
            _("I took part!"),
            card_url,
        )
    card_url = reverse("campaigns:card", args=[campaign.slug, card.key])
    return ShareLinks(
        f"{card.headline} · {campaign.title}",
        card.description,
        absolute(f"{intro}?{urlencode({'result': card.key})}"),
        absolute(card_url),
        card.headline,
        card_url,
    )
