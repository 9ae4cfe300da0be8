"""Synthetic customers for load tests and benchmarks: profiles with consents, declarations,
points, plays and their answers, written in bulk (COPY on PostgreSQL, bulk_create elsewhere)."""

import json
import multiprocessing
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from django.db import connection, connections, transaction
from django.utils import timezone

from apps.campaigns.models import Answer, Campaign, Option, Participation, Question
from apps.consent.models import ConsentEvent, ConsentState, Purpose
from apps.loyalty.models import Account, LedgerEntry
from apps.preferences.models import Attribute, Declaration, Source
from apps.profiles.models import Profile

CHUNK = 20_000
# Shares of customers who grant each purpose, and who then answer each of its attributes:
# about ten declarations per customer with the demo vocabulary.
GRANT_RATES = {
    "personalization": 0.95,
    "health_personalization": 0.4,
    "email_marketing": 0.75,
    "research": 0.6,
    "partner_sharing": 0.5,
    "leaderboard": 0.1,
}
DECLARE_RATE = 0.97


# Held while a process takes a range of keys, so processes writing at once never share one.
RESERVE_LOCK = 7_400_117


def _reserve_ids(model, count: int) -> int:
    """The first of `count` fresh primary keys, taken from the table's sequence in one go."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A session lock, released at once rather than at the chunk's commit; the
            # savepoint keeps the session usable for the release if taking the keys fails.
            cursor.execute("SELECT pg_advisory_lock(%s)", [RESERVE_LOCK])
            try:
                with transaction.atomic():
                    cursor.execute(
                        "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                        "GREATEST((SELECT COALESCE(MAX(id), 0) FROM " + table + "), "
                        "(SELECT last_value FROM " + table + "_id_seq)) + %s) - %s + 1",
                        [table, count, count],
                    )
                    return cursor.fetchone()[0]
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [RESERVE_LOCK])
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        return cursor.fetchone()[0]


def _write(model, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        raw = connection.connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    model.objects.bulk_create(
        [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=2000
    )


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
    *, count: int, seed: int = 1, jobs: int = 1, chunk: int = CHUNK
) -> Iterator[int]:
    """Write `count` customers in chunks; yields the number written so far.

    PostgreSQL does most of the work (keys, constraints, indexes), so with `jobs` > 1 that
    many processes write chunks at once, each in its own session. Each chunk draws from its
    own random stream, so a seed gives the same customers whatever the number of jobs; only
    which ids a chunk gets depends on when it takes them. Keys are taken in ranges, so run it
    on a database that takes no other writes meanwhile (a load-test copy)."""
    now = timezone.now()
    chunks = [
        (seed, index, min(chunk, count - start), now)
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


def _write_chunk(chunk: tuple[int, int, int, datetime]) -> int:
    seed, index, size, now = chunk
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
    campaigns = list(Campaign.objects.live().values_list("pk", flat=True))
    chance = random.Random(f"{seed}:{index}")
    with transaction.atomic():
        _chunk(size, chance, now, purposes, attributes, campaigns)
    return size


def _chunk(size, chance, now, purposes, attributes, campaigns) -> None:
    first_profile = _reserve_ids(Profile, size)
    profile_rows, grants, accounts = [], [], []
    for n in range(size):
        pk = first_profile + n
        created = now - timedelta(days=chance.randint(1, 730))
        member = chance.random() < 0.3
        profile_rows.append(
            (
                pk,
                created,
                now,
                uuid.uuid4(),
                "member" if member else "anonymous",
                "de",
                "Europe/Berlin",
                created + timedelta(days=chance.randint(0, 30)),
                0,
            )
        )
        for key, purpose in purposes.items():
            if chance.random() < GRANT_RATES[key]:
                grants.append((pk, purpose, created))
        if chance.random() < 0.7:
            accounts.append((pk, chance.randint(10, 2000), created))
    _write(
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
        ],
        profile_rows,
    )
    first_event = _reserve_ids(ConsentEvent, len(grants))
    events, states, granted = [], [], {}
    for n, (pk, purpose, moment) in enumerate(grants):
        event_id = first_event + n
        events.append(
            (
                event_id,
                uuid.uuid4(),
                pk,
                purpose.pk,
                purpose.current_version_id,
                "grant",
                "customer",
                moment,
                "web",
                "generated",
                "de",
                "",
                "",
                False,
            )
        )
        states.append((pk, purpose.pk, "granted", purpose.current_version_id, event_id, moment))
        granted[(pk, purpose.pk)] = event_id
    _write(
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
    _write(
        ConsentState,
        ["profile_id", "purpose_id", "status", "version_id", "event_id", "updated_at"],
        states,
    )
    declarations = []
    for pk, *_rest in profile_rows:
        for attribute, values in attributes:
            event_id = granted.get((pk, attribute.purpose_id))
            if event_id is None or chance.random() > DECLARE_RATE:
                continue
            value = _value(attribute, values, chance)
            if value is None:
                continue
            moment = now - timedelta(days=chance.randint(0, 400))
            declarations.append(
                (
                    pk,
                    attribute.pk,
                    json.dumps(value),
                    Source.IMPORT,
                    "",
                    "generated",
                    event_id,
                    moment,
                    moment,
                )
            )
    _write(
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
        declarations,
    )
    first_account = _reserve_ids(Account, len(accounts))
    account_rows, entries = [], []
    for n, (pk, points, moment) in enumerate(accounts):
        account_id = first_account + n
        account_rows.append((account_id, moment, moment, pk, points, points))
        entries.append(
            (
                account_id,
                points,
                "earn",
                "Generated",
                "generated",
                f"generated:{pk}",
                moment,
                moment + timedelta(days=365),
            )
        )
    _write(
        Account,
        ["id", "created_at", "updated_at", "profile_id", "balance", "lifetime_earned"],
        account_rows,
    )
    _write(
        LedgerEntry,
        [
            "account_id",
            "amount",
            "kind",
            "reason",
            "source_ref",
            "idempotency_key",
            "created_at",
            "expires_at",
        ],
        entries,
    )
    if campaigns:
        plays = []
        for pk, *_rest in profile_rows:
            if chance.random() < 0.6:
                moment = now - timedelta(days=chance.randint(0, 200))
                plays.append((chance.choice(campaigns), pk, 1, moment, moment, 0, "[]", "[]"))
        # Keys taken like the further plays' below: a key handed out by the sequence meanwhile
        # could fall into another process's range.
        first_play = _reserve_ids(Participation, len(plays))
        plays = [(first_play + n, *play) for n, play in enumerate(plays)]
        _write(
            Participation,
            [
                "id",
                "campaign_id",
                "profile_id",
                "round",
                "started_at",
                "completed_at",
                "score",
                "dimension_results",
                "withheld_attributes",
            ],
            plays,
        )
    if campaigns:
        _more_plays_with_answers(first_profile, size, now, random.Random(chance.getrandbits(64)))


# Further plays per customer, so that each has about ten answers across the demo campaigns;
# some are left unfinished part-way, as real players do.
EXTRA_PLAY_RATE = 0.8
FINISH_RATE = 0.85
SECONDS_PER_ANSWER = 20
WORDS = ["lecker", "frisch", "teuer", "knusprig", "süß", "gesund", "praktisch", "schnell"]


def _campaign_questions() -> dict[int, list[tuple]]:
    """Each live campaign's questions in order: (id, kind, low, high, [(option, outcome)])."""
    live = Campaign.objects.live()
    options = defaultdict(list)
    for question_id, option_id, outcome_id in Option.objects.filter(
        question__campaign__in=live
    ).values_list("question_id", "pk", "outcome_id"):
        options[question_id].append((option_id, outcome_id))
    questions = defaultdict(list)
    for pk, campaign_id, kind, low, high in (
        Question.objects.filter(campaign__in=live)
        .order_by("campaign_id", "position")
        .values_list("pk", "campaign_id", "kind", "scale_min", "scale_max")
    ):
        questions[campaign_id].append((pk, kind, low, high, options[pk]))
    return questions


def _answer(question: tuple, chance: random.Random) -> tuple[int | None, str, list[tuple]]:
    """A plausible answer: (number, text, chosen options with their outcomes)."""
    _pk, kind, low, high, options = question
    if kind in (Question.Kind.SINGLE, Question.Kind.IMAGE) and options:
        return None, "", [chance.choice(options)]
    if kind == Question.Kind.MULTIPLE and options:
        return None, "", chance.sample(options, chance.randint(1, min(2, len(options))))
    if kind == Question.Kind.TEXT:
        return None, " ".join(chance.sample(WORDS, 2)), []
    if kind == Question.Kind.MOOD:
        return chance.randint(1, 5), "", []
    if (low, high) == (0, 10):
        # Recommendation scores lean towards the top, as they tend to.
        return chance.choices(range(11), weights=[1, 1, 1, 1, 2, 3, 4, 8, 10, 9, 7])[0], "", []
    return chance.randint(low, high), "", []


def _more_plays_with_answers(first_profile: int, size: int, now, chance: random.Random) -> None:
    """Answers for the chunk's plays, plus further plays of the other live campaigns."""
    questions = _campaign_questions()
    plays = list(
        Participation.objects.filter(
            profile_id__gte=first_profile, profile_id__lt=first_profile + size
        )
        .order_by("pk")
        .values_list("pk", "campaign_id", "profile_id", "started_at")
    )
    played = {(profile_id, campaign_id) for _pk, campaign_id, profile_id, _at in plays}
    extra = []
    for profile_id in range(first_profile, first_profile + size):
        for campaign_id in questions:
            if (profile_id, campaign_id) in played or chance.random() > EXTRA_PLAY_RATE:
                continue
            moment = now - timedelta(days=chance.randint(0, 200), seconds=chance.randint(0, 86399))
            extra.append((campaign_id, profile_id, moment, chance.random() < FINISH_RATE))
    first_play = _reserve_ids(Participation, len(extra))
    play_rows, answer_specs, outcomes = [], [], {}
    for pk, campaign_id, _profile_id, started in plays:
        answer_specs.append((pk, campaign_id, started, len(questions[campaign_id])))
    for n, (campaign_id, profile_id, started, finished) in enumerate(extra):
        pk = first_play + n
        asked = questions[campaign_id]
        count = len(asked) if finished else chance.randint(0, max(0, len(asked) - 1))
        completed = (
            started + timedelta(seconds=SECONDS_PER_ANSWER * len(asked)) if finished else None
        )
        play_rows.append([pk, campaign_id, profile_id, 1, started, completed, 0, "[]", "[]", None])
        answer_specs.append((pk, campaign_id, started, count))
    first_answer = _reserve_ids(Answer, sum(count for *_rest, count in answer_specs))
    answer_rows, chosen_rows = [], []
    for pk, campaign_id, started, count in answer_specs:
        votes = Counter()
        for index, question in enumerate(questions[campaign_id][:count]):
            number, text, chosen = _answer(question, chance)
            answer_id = first_answer + len(answer_rows)
            answered = started + timedelta(seconds=SECONDS_PER_ANSWER * index)
            answer_rows.append((answer_id, pk, question[0], number, text, answered, False))
            chosen_rows += [(answer_id, option_id) for option_id, _outcome in chosen]
            votes.update(outcome for _option, outcome in chosen if outcome)
        if votes and count == len(questions[campaign_id]):
            outcomes[pk] = votes.most_common(1)[0][0]
    for row in play_rows:
        row[-1] = outcomes.get(row[0])
    _write(
        Participation,
        [
            "id",
            "campaign_id",
            "profile_id",
            "round",
            "started_at",
            "completed_at",
            "score",
            "dimension_results",
            "withheld_attributes",
            "outcome_id",
        ],
        [tuple(row) for row in play_rows],
    )
    _write(
        Answer,
        ["id", "participation_id", "question_id", "number", "text", "answered_at", "late"],
        answer_rows,
    )
    _write(Answer.options.through, ["answer_id", "option_id"], chosen_rows)
    first_plays = [
        Participation(pk=pk, outcome_id=outcomes[pk]) for pk, *_rest in plays if pk in outcomes
    ]
    Participation.objects.bulk_update(first_plays, ["outcome_id"], batch_size=2000)
