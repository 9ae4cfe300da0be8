"""What the scenarios need in the database, written through the services where one exists,
and the figures they check afterwards. Runs in the chaos process itself, against the
cluster it started (Django is set up with the same environment as gunicorn)."""

import itertools
import secrets
import uuid
from dataclasses import dataclass, field

from django.contrib.sessions.backends.db import SessionStore
from django.db import close_old_connections, transaction
from django.utils import timezone

from apps.campaigns.models import Answer, Campaign, Option, Participation, Question
from apps.consent.evidence import Evidence
from apps.consent.models import Channel, ConsentEvent, Purpose
from apps.consent.services import consent_grant
from apps.core.models import OutboxEvent
from apps.loyalty.models import EarningRule, LedgerEntry, Redemption, Reward
from apps.loyalty.services import ledger_credit
from apps.partners.models import PartnerClient, PartnerEventType, Scope, WebhookDelivery
from apps.partners.services import (
    partner_client_create,
    partner_link_customer,
    partner_scoped_key,
)
from apps.partners.services.webhook_endpoints import webhook_endpoint_create
from apps.profiles.models import Identifier, Profile
from apps.profiles.selectors import SESSION_GENERATION_KEY, SESSION_KEY
from apps.profiles.services import profile_sign_in_as

EVENT_TYPE = "chaos-purchase"
QUESTIONS = 10
# Each customer sends from an address of its own in 127.0.0.0/8, as customers do from theirs:
# otherwise the per-address rate limits would be all a run measures.
_addresses = (f"127.1.{n // 250}.{n % 250 + 1}" for n in itertools.count())


@dataclass
class Browser:
    """A customer's cookies, as a browser would send them."""

    profile_id: int
    session_key: str
    csrf: str = field(default_factory=lambda: secrets.token_hex(16))
    address: str = field(default_factory=lambda: next(_addresses))

    @property
    def headers(self) -> dict[str, str]:
        return {
            "Cookie": f"sessionid={self.session_key}; csrftoken={self.csrf}",
            "X-CSRFToken": self.csrf,
        }


def _signed_in(profile: Profile) -> Browser:
    session = SessionStore()
    session[SESSION_KEY] = profile.pk
    session[SESSION_GENERATION_KEY] = profile.session_generation
    session.create()
    return Browser(profile_id=profile.pk, session_key=session.session_key)


def fresh_connection() -> None:
    """Before each use: the cluster may have restarted since the last query."""
    close_old_connections()


@dataclass
class Partner:
    client_id: str
    secret: str
    profile_public_id: str
    profile_id: int


def partner_build(key: str) -> Partner:
    partner, secret = partner_client_create(
        name=f"Chaos {key}",
        key=key,
        scopes=list(Scope.values),
        purpose_keys=["partner_sharing", "personalization"],
    )
    PartnerClient.objects.filter(pk=partner.pk).update(requests_per_minute=1_000_000)
    profile, _new = partner_link_customer(partner=partner, external_id=f"{key}-customer")
    version = Purpose.objects.get(key="partner_sharing").current_version
    consent_grant(
        profile=profile,
        purpose_version=version,
        channel=Channel.WEB,
        collection_point="chaos",
        evidence=Evidence(),
        language="de",
    )
    return Partner(partner.application.client_id, secret, str(profile.public_id), profile.pk)


def earning_event_build() -> None:
    PartnerEventType.objects.get_or_create(key=EVENT_TYPE, defaults={"label": "Chaos purchase"})
    EarningRule.objects.get_or_create(
        name="Chaos purchase", event_name=EVENT_TYPE, points=10, multiply_by_tier=False
    )


def partner_event_figures(partner: Partner, partner_key: str, key: str) -> tuple[int, int]:
    """Ledger entries credited for the event sent under `key`, and its outbox rows."""
    fresh_connection()
    occurrence = partner_scoped_key(partner=PartnerClient.objects.get(key=partner_key), key=key)
    credits = LedgerEntry.objects.filter(
        account__profile_id=partner.profile_id, idempotency_key__endswith=f":{occurrence}"
    ).count()
    events = OutboxEvent.objects.filter(name=EVENT_TYPE, payload__idempotency_key=occurrence)
    return credits, events.count()


def members_build(count: int, points: int) -> list[Browser]:
    """Verified members, signed in, each with `points` to spend."""
    browsers = []
    for number in range(count):
        with transaction.atomic():
            member = profile_sign_in_as(
                kind=Identifier.Kind.EMAIL,
                value=f"chaos-member-{number}-{uuid.uuid4().hex[:8]}@example.org",
                current=None,
                locale="de",
            )
        ledger_credit(
            profile=member, points=points, idempotency_key=f"chaos-gift-{member.pk}", reason="Chaos"
        )
        member.refresh_from_db()
        browsers.append(_signed_in(member))
    return browsers


def reward_build(stock: int, cost: int) -> int:
    return Reward.objects.create(
        title_de="Chaos-Gutschein", title_en="Chaos voucher", cost=cost, stock=stock
    ).pk


def reward_figures(reward_id: int) -> tuple[int, int]:
    fresh_connection()
    redeemed = Redemption.objects.filter(reward_id=reward_id).count()
    return redeemed, Reward.objects.get(pk=reward_id).stock


@dataclass
class Survey:
    slug: str
    option_ids: list[int]
    players: list[Browser]


def survey_build(slug: str, players: int) -> Survey:
    """A live survey of ten questions, and players who have started it."""
    campaign = Campaign.objects.create(
        slug=slug, kind="survey", status="live", title_de="Chaos", title_en="Chaos"
    )
    option_ids = []
    for position in range(1, QUESTIONS + 1):
        question = Question.objects.create(
            campaign=campaign, position=position, text_de="Frage?", text_en="Question?"
        )
        option_ids.append(
            Option.objects.create(question=question, label_de="Ja", label_en="Yes").pk
        )
        Option.objects.create(question=question, label_de="Nein", label_en="No")
    profiles = Profile.objects.bulk_create([Profile() for _ in range(players)])
    Participation.objects.bulk_create(
        [Participation(campaign=campaign, profile=p) for p in profiles]
    )
    return Survey(slug, option_ids, [_signed_in(profile) for profile in profiles])


@dataclass
class PlayFigures:
    answers: int
    completed: int
    incomplete_but_finished: int
    completions_published: int


def survey_figures(slug: str) -> PlayFigures:
    """What the database holds of a survey's plays; a play marked complete must hold every
    answer, and each completion its one event."""
    fresh_connection()
    plays = Participation.objects.filter(campaign__slug=slug)
    completed = plays.filter(completed_at__isnull=False)
    broken = sum(
        1
        for count in completed.values_list("pk", flat=True)
        if Answer.objects.filter(participation_id=count).count() != QUESTIONS
    )
    return PlayFigures(
        answers=Answer.objects.filter(participation__campaign__slug=slug).count(),
        completed=completed.count(),
        incomplete_but_finished=broken,
        completions_published=OutboxEvent.objects.filter(
            name="quiz.completed", payload__campaign=slug
        ).count(),
    )


def visitors_build(count: int) -> list[Browser]:
    profiles = Profile.objects.bulk_create([Profile() for _ in range(count)])
    return [_signed_in(profile) for profile in profiles]


def consent_event_count(browsers: list[Browser]) -> int:
    fresh_connection()
    return ConsentEvent.objects.filter(profile_id__in=[b.profile_id for b in browsers]).count()


def outbox_unrelayed() -> int:
    fresh_connection()
    return OutboxEvent.objects.unpublished().count()


def webhook_endpoint_build(partner_key: str, url: str) -> int:
    partner = PartnerClient.objects.get(key=partner_key)
    return webhook_endpoint_create(partner=partner, url=url, event_types=["points.changed"]).pk


def points_events_send(profile_id: int, count: int) -> None:
    """One `points.changed` per credit, each a webhook delivery to the partner's endpoint."""
    profile = Profile.objects.get(pk=profile_id)
    for number in range(count):
        ledger_credit(
            profile=profile, points=1, idempotency_key=f"chaos-hook-{number}", reason="Chaos"
        )


def webhook_figures(endpoint_id: int) -> tuple[int, int]:
    """Deliveries made for the endpoint, and how many of them succeeded."""
    fresh_connection()
    deliveries = WebhookDelivery.objects.filter(endpoint_id=endpoint_id)
    return (
        deliveries.count(),
        deliveries.filter(status=WebhookDelivery.Status.SUCCEEDED).count(),
    )


def webhook_stuck(endpoint_id: int) -> str:
    """The deliveries not sent yet, for the report when a run fails."""
    fresh_connection()
    now = timezone.now()
    rows = WebhookDelivery.objects.filter(endpoint_id=endpoint_id).exclude(
        status=WebhookDelivery.Status.SUCCEEDED
    )
    return ", ".join(
        f"#{row.pk} {row.status} attempts={row.attempts} "
        f"next in {(row.next_attempt_at - now).total_seconds() if row.next_attempt_at else 0:.0f} s"
        f" {row.last_error[:60]}"
        for row in rows[:5]
    )
