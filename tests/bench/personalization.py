"""Segments and recommendations at scale on PostgreSQL, each against a hand-written SQL query
for the same result, measured in the same run.

    make bench-personalization

Customers are made once with `generate_profiles` in the database named in
BENCH_PERSONALIZATION_DATABASE_URL (default: resonanz_gen on the local server) and reused by
later runs; BENCH_PROFILES (default 1,000,000) says how many.
"""

import os
import statistics
import subprocess
import sys
import time

from tests.bench.ledger_throughput import PROJECT_ROOT

DATABASE_URL = os.environ.get(
    "BENCH_PERSONALIZATION_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/resonanz_gen"
)
PROFILES = int(os.environ.get("BENCH_PROFILES", "1000000"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "7"))

RULE = {
    "all": [
        {"attribute": "diet", "op": "in", "value": ["vegan", "vegetarian"]},
        {"attribute": "budget", "op": "gte", "value": 3},
        {"balance_gte": 500},
    ]
}

HAND_COUNT = """
SELECT count(*) FROM profiles_profile p
WHERE p.kind <> 'merged'
  AND EXISTS (SELECT 1 FROM preferences_declaration d WHERE d.profile_id = p.id
              AND d.attribute_id = %(diet)s AND d.value IN ('"vegan"'::jsonb, '"vegetarian"'::jsonb))
  AND EXISTS (SELECT 1 FROM preferences_declaration d WHERE d.profile_id = p.id
              AND d.attribute_id = %(budget)s AND (d.value)::int >= 3)
  AND EXISTS (SELECT 1 FROM loyalty_account a WHERE a.profile_id = p.id AND a.balance >= 500)
  AND EXISTS (SELECT 1 FROM consent_consentstate s WHERE s.profile_id = p.id
              AND s.purpose_id = %(personalization)s AND s.status = 'granted')
"""

HAND_RECOMMENDATIONS = """
SELECT o.id, SUM(m.weight * power(0.5, extract(epoch FROM now() - d.confirmed_at) / 86400
                 / COALESCE(a.freshness_days, 180))) AS score
FROM personalization_offer o
JOIN personalization_offermatch m ON m.offer_id = o.id
JOIN preferences_attribute a ON a.id = m.attribute_id
JOIN preferences_declaration d ON d.attribute_id = m.attribute_id AND d.profile_id = %(profile)s
     AND (d.value = to_jsonb(m.value) OR d.value @> jsonb_build_array(m.value))
JOIN consent_consentstate s ON s.profile_id = d.profile_id AND s.purpose_id = a.purpose_id
     AND s.status = 'granted'
WHERE o.is_active
  AND EXISTS (SELECT 1 FROM consent_consentstate c WHERE c.profile_id = %(profile)s
              AND c.purpose_id = %(personalization)s AND c.status = 'granted')
  AND NOT EXISTS (SELECT 1 FROM preferences_declaration x WHERE x.profile_id = %(profile)s
                  AND x.attribute_id = %(not_interested)s AND x.value @> jsonb_build_array(o.key))
GROUP BY o.id, o.priority, o.key ORDER BY score DESC, o.priority DESC, o.key LIMIT 5
"""


def _median_ms(run, repeats: int = REPEATS) -> float:
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _prepare() -> None:
    """Migrate, load the demo vocabulary and make the customers if they are not there yet."""
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    with psycopg.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as db:
        if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            db.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "LOG_LEVEL": "WARNING"}
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=PROJECT_ROOT, env=env, check=True)
    subprocess.run(
        [*manage, "seed_demo", "--population", "0"],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with psycopg.connect(DATABASE_URL) as db:
        present = db.execute("SELECT count(*) FROM profiles_profile").fetchone()[0]
    if present < PROFILES:
        print(f"making {PROFILES - present:,} customers (once) ...", flush=True)
        subprocess.run(
            [*manage, "generate_profiles", "--count", str(PROFILES - present)],
            cwd=PROJECT_ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        with psycopg.connect(DATABASE_URL, autocommit=True) as db:
            # As autovacuum leaves a table at rest: statistics, and pages marked all-visible so
            # index-only scans need not visit the table.
            db.execute("VACUUM ANALYZE")


def main() -> None:
    _prepare()
    os.environ["BENCH_DATABASE_URL"] = DATABASE_URL
    os.environ["DATABASE_URL"] = DATABASE_URL
    from tests.bench import ledger_throughput

    ledger_throughput.DATABASE_URL = DATABASE_URL
    ledger_throughput._setup_django(migrate=False)
    from django.db import connection

    from apps.consent.models import Purpose
    from apps.personalization.models import OFFERS_NOT_INTERESTED, Segment
    from apps.personalization.selectors import recommendations, segment_profiles
    from apps.preferences.models import Attribute, Declaration
    from apps.profiles.models import Profile

    ids = {
        "diet": Attribute.objects.get(key="diet").pk,
        "budget": Attribute.objects.get(key="budget").pk,
        "personalization": Purpose.objects.get(key="personalization").pk,
        "not_interested": Attribute.objects.get(key=OFFERS_NOT_INTERESTED).pk,
    }
    segment = Segment(key="bench", rule=RULE)

    def ours_count() -> int:
        return segment_profiles(segment=segment).count()

    def hand_count() -> int:
        with connection.cursor() as cursor:
            cursor.execute(HAND_COUNT, ids)
            return cursor.fetchone()[0]

    assert ours_count() == hand_count(), "the segment and the hand-written query disagree"
    profile = Profile.objects.filter(declarations__attribute_id=ids["diet"]).order_by("pk").first()

    def ours_recommend() -> list:
        return recommendations(profile=profile)

    def hand_recommend() -> list:
        with connection.cursor() as cursor:
            cursor.execute(HAND_RECOMMENDATIONS, {**ids, "profile": profile.pk})
            return cursor.fetchall()

    assert [r.offer.pk for r in ours_recommend()] == [row[0] for row in hand_recommend()]
    segment_ours, segment_hand = _median_ms(ours_count), _median_ms(hand_count)
    recommend_ours, recommend_hand = (
        _median_ms(ours_recommend, repeats=50),
        _median_ms(hand_recommend, repeats=50),
    )
    print(f"profiles                         {Profile.objects.count():>12,}")
    print(f"declarations                     {Declaration.objects.count():>12,}")
    print(f"segment members (3 conditions)   {ours_count():>12,}")
    print(f"segment count, ours              {segment_ours:>12.1f} ms (median)")
    print(f"segment count, hand-written SQL  {segment_hand:>12.1f} ms (median)")
    print(f"ratio                            {segment_ours / segment_hand:>12.2f}x")
    print(f"recommendations, ours            {recommend_ours:>12.2f} ms (median)")
    print(f"recommendations, hand-written    {recommend_hand:>12.2f} ms (median)")
    print(f"ratio                            {recommend_ours / recommend_hand:>12.2f}x")


if __name__ == "__main__":
    main()
