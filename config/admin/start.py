"""The admin's start page: what needs staff's attention today, each block only for the roles
that may see what it shows. A block is None when the user may not see it, and an empty list
when there is nothing in it."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from apps.campaigns.models import Campaign
from apps.campaigns.selectors import campaign_list_running
from apps.challenges.models import Challenge
from apps.challenges.selectors import challenge_list_running
from apps.core.models import OutboxEvent
from apps.insights.selectors import Headline, program_headline
from apps.insights.views import VIEW_DASHBOARDS
from apps.partners.models import WebhookEndpoint
from apps.partners.selectors import webhook_endpoint_list_failing
from apps.privacy.models import DataRequest
from apps.privacy.selectors import data_request_list_open

ENDS_SOON_WITHIN = timedelta(days=14)
# The start page lists this many of each; the section pages have the rest.
LISTED = 8


@dataclass(frozen=True)
class Running:
    """A campaign or challenge customers can take part in now."""

    kind: str  # "campaign" or "challenge"
    item: Campaign | Challenge

    @property
    def ends_at(self) -> datetime | None:
        return self.item.ends_at


@dataclass(frozen=True)
class StartPage:
    now: datetime
    headline: Headline | None
    live: list[Running] | None
    ending: list[Running] | None
    data_requests: list[DataRequest] | None
    failing_endpoints: list[WebhookEndpoint] | None
    endpoint_links: bool
    # Outbox events given up on, for superusers (the outbox is machinery).
    dead_letters: int | None = None


def _running(user, now: datetime, *, ending_by: datetime | None) -> list[Running] | None:
    campaigns = user.has_perm("campaigns.view_campaign")
    challenges = user.has_perm("challenges.view_challenge")
    if not (campaigns or challenges):
        return None
    running = []
    if campaigns:
        found = campaign_list_running(now=now, ending_by=ending_by)[:LISTED]
        running += [Running("campaign", campaign) for campaign in found]
    if challenges:
        found = challenge_list_running(now=now, ending_by=ending_by)[:LISTED]
        running += [Running("challenge", challenge) for challenge in found]
    # Soonest ending first, those without an end last.
    return sorted(running, key=lambda entry: (entry.ends_at is None, entry.ends_at or now))


def start_page(*, user: AbstractBaseUser | AnonymousUser, now: datetime | None = None) -> StartPage:
    now = now or timezone.now()
    requests = None
    if user.has_perm("privacy.view_datarequest"):
        requests = list(data_request_list_open()[:LISTED])
    endpoints = None
    if user.has_perm("partners.view_webhookendpoint") or user.has_perm(
        "partners.view_webhookdelivery"
    ):
        endpoints = list(webhook_endpoint_list_failing()[:LISTED])
    return StartPage(
        now=now,
        headline=program_headline(now=now) if user.has_perm(VIEW_DASHBOARDS) else None,
        live=_running(user, now, ending_by=None),
        ending=_running(user, now, ending_by=now + ENDS_SOON_WITHIN),
        data_requests=requests,
        failing_endpoints=endpoints,
        endpoint_links=user.has_perm("partners.view_webhookendpoint"),
        dead_letters=OutboxEvent.objects.dead().count() if user.is_superuser else None,
    )
