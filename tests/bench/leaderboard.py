"""The leaderboard ranking on PostgreSQL with 100,000 participants, against a plain indexed
`ORDER BY score DESC LIMIT 50` on the same table in the same run; and the page's queries.

    make bench-leaderboard

Participants are made once in bulk (SQL) in the database named in BENCH_DATABASE_URL
(default: resonanz_bench on the local server) and reused by later runs.
"""

import os
import statistics
import time

from tests.bench.ledger_throughput import _ensure_database, _setup_django

PARTICIPANTS = int(os.environ.get("BENCH_PARTICIPANTS", "100000"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "200"))
SLUG = "bench-board"


def _participants(challenge) -> None:
    """PARTICIPANTS customers with a display name, the leaderboard purpose granted and a
    score of 0 to 99 (so many tie): made in a few INSERT ... SELECT statements."""
    from django.db import connection

    from apps.challenges.models import ChallengeProgress
    from tests.consent.factories import published_purpose

    present = ChallengeProgress.objects.filter(challenge=challenge, period="once").count()
    if present >= PARTICIPANTS:
        return
    from apps.consent.models import Purpose

    purpose = Purpose.objects.filter(key="leaderboard").first() or published_purpose(
        key="leaderboard"
    )
    version = purpose.current_version_id
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO profiles_profile (created_at, updated_at, public_id, kind, locale, "
            "time_zone, session_generation) SELECT now(), now(), gen_random_uuid(), 'anonymous', "
            "'de', 'Europe/Berlin', 0 FROM generate_series(1, %s) RETURNING id",
            [PARTICIPANTS - present],
        )
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "INSERT INTO consent_consentevent (receipt_id, profile_id, purpose_id, "
            "purpose_version_id, action, trigger, occurred_at, channel, collection_point, "
            "language, ip_hmac, user_agent_hmac, gpc_signal) SELECT gen_random_uuid(), id, %s, "
            "%s, 'grant', 'customer', now(), 'web', 'bench', 'de', '', '', false "
            "FROM unnest(%s::bigint[]) AS id RETURNING id, profile_id",
            [purpose.pk, version, ids],
        )
        events = cursor.fetchall()
        cursor.execute(
            "INSERT INTO consent_consentstate (profile_id, purpose_id, status, version_id, "
            "event_id, updated_at) SELECT profile_id, %s, 'granted', %s, event_id, now() "
            "FROM unnest(%s::bigint[], %s::bigint[]) AS t(event_id, profile_id)",
            [purpose.pk, version, [e[0] for e in events], [e[1] for e in events]],
        )
        cursor.execute(
            "INSERT INTO challenges_leaderboardname (profile_id, display_name, created_at) "
            "SELECT id, 'Spieler ' || id, now() FROM unnest(%s::bigint[]) AS id",
            [ids],
        )
        cursor.execute(
            "INSERT INTO challenges_challengeprogress (profile_id, challenge_id, period, score, "
            "updated_at) SELECT id, %s, 'once', 1 + (random() * 99)::int, now() "
            "FROM unnest(%s::bigint[]) AS id",
            [challenge.pk, ids],
        )
        cursor.execute("ANALYZE")


def _median_ms(run, repeats: int = REPEATS) -> float:
    for _ in range(10):
        run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    _ensure_database()
    _setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.challenges.models import Challenge, ChallengeProgress
    from apps.challenges.selectors import (
        _board_queryset,
        leaderboard_rank_of,
        leaderboard_ranking,
    )
    from apps.challenges.services import leaderboards_changed

    challenge, _created = Challenge.objects.get_or_create(
        slug=SLUG, defaults={"title_de": "Bench", "title_en": "Bench", "has_leaderboard": True}
    )
    _participants(challenge)
    on_board = _board_queryset(challenge, "once").count()

    def ranking() -> None:
        leaderboards_changed()  # no cache: the ranking query itself
        leaderboard_ranking(challenge=challenge, period="once")

    def plain() -> None:
        list(
            ChallengeProgress.objects.filter(challenge=challenge, period="once")
            .order_by("-score")
            .values("profile_id", "score")[:50]
        )

    rounds = [(_median_ms(ranking), _median_ms(plain)) for _ in range(3)]
    ranked, floor = (statistics.median(values) for values in zip(*rounds, strict=True))

    middle = (
        ChallengeProgress.objects.filter(challenge=challenge, score=50)
        .select_related("profile")
        .first()
    )

    def rank_of_a_middling_player() -> None:
        leaderboards_changed()
        leaderboard_rank_of(challenge=challenge, period="once", profile=middle.profile)

    rank_ms = _median_ms(rank_of_a_middling_player, repeats=20)

    client = Client(HTTP_HOST="127.0.0.1")
    url = f"/challenges/{SLUG}/leaderboard/"
    client.get(url, secure=True)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, secure=True)
    assert response.status_code == 200, response.status_code
    leaderboards_changed()
    with CaptureQueriesContext(connection) as uncached:
        client.get(url, secure=True)

    print(f"participants on the board        {on_board:>10,}")
    print(f"plain ORDER BY score LIMIT 50    {floor:>10.2f} ms (median)")
    print(f"ranking with RANK() and consent  {ranked:>10.2f} ms (median)")
    print(f"ratio ranking / plain            {ranked / floor:>10.2f}x")
    print(f"rank of a player in the middle   {rank_ms:>10.2f} ms (uncached; then cached per score)")
    print(f"page queries (cached / fresh)    {len(queries):>6} / {len(uncached)}")


if __name__ == "__main__":
    main()
