"""Synthetic customers for load tests, benchmarks and the demo: profiles with consents (and
refusals and withdrawals), declarations, plays with their answers, points, redemptions and
challenge progress, written in bulk (COPY on PostgreSQL, bulk_create elsewhere)."""

import multiprocessing
import random
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from django.db import connection, connections, transaction
from django.utils import timezone

from apps.campaigns.models import Campaign
from apps.consent.models import ConsentEvent, ConsentState, Purpose
from apps.personalization.synthetic.plays import moment_between, plays_generate
from apps.personalization.synthetic.rewards import rewards_generate
from apps.personalization.synthetic.writing import reserve_ids, write
from apps.preferences.models import Attribute, Declaration, Source
from apps.profiles.models import Profile

CHUNK = 20_000
# How far back the history of a load-test population reaches.
HISTORY_DAYS = 730
# Shares of customers who grant each purpose, and who then answer each of its attributes:
# about ten declarations per customer with the demo vocabulary.
GRANT_RATES = {
    "personalization": 0.95,
    "health_personalization": 0.4,
    "email_marketing": 0.75,
    "research": 0.6,
    "partner_sharing": 0.5,
    "leaderboard": 0.1,
    "sales_contact": 0.25,
}
DECLARE_RATE = 0.97
# Of those who do not grant a purpose, the share who say no when asked (the others are never
# asked); of those who grant, the share who take it back later.
REFUSE_RATE = 0.6
WITHDRAW_RATE = 0.05
COLLECTION_POINT = "generated"


def _value(attribute: Attribute, values: list[str], chance: random.Random):
    if attribute.kind == Attribute.Kind.SINGLE_CHOICE:
        return chance.choice(values)
    if attribute.kind == Attribute.Kind.MULTIPLE_CHOICE:
        return sorted(chance.sample(values, chance.randint(1, min(3, len(values)))))
    if attribute.kind in (Attribute.Kind.SCALE, Attribute.Kind.NUMBER):
        return chance.randint(attribute.min_value, attribute.max_value)
    if attribute.kind == Attribute.Kind.DATE:
        return (date(1960, 1, 1) + timedelta(days=chance.randint(0, 20000))).isoformat()
    return None


def profiles_generate(
    *, count: int, seed: int = 1, jobs: int = 1, chunk: int = CHUNK, days: int = HISTORY_DAYS
) -> Iterator[int]:
    """Write `count` customers in chunks; yields the number written so far. Their history
    (sign-up, consents, answers, plays, points) lies in the last `days` days.

    PostgreSQL does most of the work (keys, constraints, indexes), so with `jobs` > 1 that
    many processes write chunks at once, each in its own session. Each chunk draws from its
    own random stream, so a seed gives the same customers whatever the number of jobs; only
    which ids a chunk gets depends on when it takes them. Keys are taken in ranges, so run it
    on a database that takes no other writes meanwhile (a load-test copy)."""
    now = timezone.now()
    chunks = [
        (seed, index, min(chunk, count - start), now, days)
        for index, start in enumerate(range(0, count, chunk))
    ]
    done = 0
    if jobs > 1 and connection.vendor == "postgresql":
        # Forked processes must not share the parent's database connection.
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for written in pool.imap_unordered(_write_chunk, chunks):
                done += written
                yield done
        return
    for chunk in chunks:
        done += _write_chunk(chunk)
        yield done


def _write_chunk(chunk: tuple[int, int, int, datetime, int]) -> int:
    seed, index, size, now, days = chunk
    purposes = {
        p.key: p for p in Purpose.objects.filter(key__in=GRANT_RATES, current_version__isnull=False)
    }
    # What customers answer in quizzes, not the "not interested" they say to offers.
    attributes = [
        (a, list(a.values.values_list("key", flat=True)))
        for a in Attribute.objects.filter(is_active=True, is_asked=True, purpose__key__in=purposes)
        .exclude(kind=Attribute.Kind.TEXT)
        .select_related("purpose")
    ]
    chance = random.Random(f"{seed}:{index}")
    with transaction.atomic():
        profiles = _profiles(size, chance, now, days)
        granted = _consents(profiles, purposes, _asked_where(), chance, now)
        _declarations(profiles, attributes, granted, chance, now)
        plays = plays_generate(profiles=profiles, now=now, chance=chance)
        leaderboard = purposes.get("leaderboard")
        rewards_generate(
            profiles=profiles,
            plays=plays,
            on_leaderboard={
                pk for (pk, purpose_id) in granted if leaderboard and purpose_id == leaderboard.pk
            },
            now=now,
            chance=chance,
        )
    return size


def _profiles(size: int, chance: random.Random, now: datetime, days: int) -> list[tuple]:
    """(id, public id, signed up at) of the chunk's new customers."""
    first_profile = reserve_ids(Profile, size)
    profiles, rows = [], []
    for n in range(size):
        pk, public_id = first_profile + n, uuid.uuid4()
        created = now - timedelta(days=chance.randint(1, days), seconds=chance.randint(0, 86399))
        member = chance.random() < 0.3
        last_seen = moment_between(created, now, chance)
        rows.append(
            (
                pk,
                created,
                now,
                public_id,
                "member" if member else "anonymous",
                "de",
                "Europe/Berlin",
                last_seen,
                0,
                False,
            )
        )
        profiles.append((pk, public_id, created))
    write(
        Profile,
        [
            "id",
            "created_at",
            "updated_at",
            "public_id",
            "kind",
            "locale",
            "time_zone",
            "last_seen_at",
            "session_generation",
            "is_test",
        ],
        rows,
    )
    return profiles


def _asked_where() -> dict[int, list[str]]:
    """Per purpose, the collection points of the live campaigns that ask for it at their end:
    a first answer is given there, as in the player."""
    points: dict[int, list[str]] = {}
    for campaign in Campaign.objects.filter(status=Campaign.Status.LIVE).prefetch_related(
        "purposes"
    ):
        for purpose in campaign.purposes.all():
            points.setdefault(purpose.pk, []).append(f"campaign:{campaign.slug}")
    return points


def _consents(profiles, purposes, asked_where, chance, now) -> dict[tuple[int, int], int]:
    """Grants, refusals and later withdrawals; returns the event id of each (profile,
    purpose) granted now."""
    decisions, withdrawals = [], []
    for pk, _public_id, created in profiles:
        for key, purpose in purposes.items():
            asked = created + timedelta(seconds=chance.randint(0, 600))
            where = chance.choice(asked_where.get(purpose.pk) or [COLLECTION_POINT])
            if chance.random() < GRANT_RATES[key]:
                decisions.append((pk, purpose, "grant", asked, where))
                if chance.random() < WITHDRAW_RATE:
                    withdrawals.append(
                        (
                            pk,
                            purpose,
                            "withdraw",
                            moment_between(asked, now, chance),
                            COLLECTION_POINT,
                        )
                    )
            elif chance.random() < REFUSE_RATE:
                decisions.append((pk, purpose, "refuse", asked, where))
    # Withdrawals after every first decision: a later event has a higher id.
    decisions += withdrawals
    first_event = reserve_ids(ConsentEvent, len(decisions))
    events, states, granted = [], {}, {}
    status = {"grant": "granted", "refuse": "refused", "withdraw": "withdrawn"}
    for n, (pk, purpose, action, moment, where) in enumerate(decisions):
        event_id = first_event + n
        version = purpose.current_version_id
        events.append(
            (
                event_id,
                uuid.uuid4(),
                pk,
                purpose.pk,
                version,
                action,
                "customer",
                moment,
                "web",
                where,
                "de",
                "",
                "",
                False,
            )
        )
        states[(pk, purpose.pk)] = (pk, purpose.pk, status[action], version, event_id, moment)
        if action == "grant":
            granted[(pk, purpose.pk)] = event_id
        else:
            granted.pop((pk, purpose.pk), None)
    write(
        ConsentEvent,
        [
            "id",
            "receipt_id",
            "profile_id",
            "purpose_id",
            "purpose_version_id",
            "action",
            "trigger",
            "occurred_at",
            "channel",
            "collection_point",
            "language",
            "ip_hmac",
            "user_agent_hmac",
            "gpc_signal",
        ],
        events,
    )
    write(
        ConsentState,
        ["profile_id", "purpose_id", "status", "version_id", "event_id", "updated_at"],
        list(states.values()),
    )
    return granted


def _declarations(profiles, attributes, granted, chance, now) -> None:
    rows = []
    for pk, _public_id, created in profiles:
        for attribute, values in attributes:
            event_id = granted.get((pk, attribute.purpose_id))
            if event_id is None or chance.random() > DECLARE_RATE:
                continue
            value = _value(attribute, values, chance)
            if value is None:
                continue
            moment = moment_between(created, now, chance)
            rows.append(
                (
                    pk,
                    attribute.pk,
                    value,
                    Source.IMPORT,
                    "",
                    COLLECTION_POINT,
                    event_id,
                    moment,
                    moment,
                )
            )
    write(
        Declaration,
        [
            "profile_id",
            "attribute_id",
            "value",
            "source",
            "source_ref",
            "source_label",
            "consent_event_id",
            "declared_at",
            "confirmed_at",
        ],
        rows,
    )
