"""How the benchmarks judge their figures: a wrong verdict would hide a regression."""

from tests.bench.play_cost import _by_table
from tests.bench.targets import at_most, multiple_of, share_of


def test_share_of_passes_at_the_target_and_misses_below_it():
    assert share_of("answer POST", 50, "the ceiling", 100, target=50) == (
        "answer POST = 50 % of the ceiling (target >= 50 %) PASS"
    )
    assert share_of("answer POST", 8, "the ceiling", 100, target=50).endswith("MISS")


def test_multiple_of_passes_up_to_the_target():
    assert multiple_of("p99", 30, "the ceiling", 10, target=3).endswith("(target <= 3x) PASS")
    assert multiple_of("p99", 31, "the ceiling", 10, target=3).endswith("MISS")


def test_at_most_counts_statements_against_their_budget():
    assert at_most("whole play", 40, "statements", target=40).endswith("PASS")
    assert at_most("completion", 83, "statements", target=25) == (
        "completion = 83 statements (target <= 25) MISS"
    )


def test_statements_are_grouped_by_the_table_they_start_with():
    rows = _by_table(
        [
            'SELECT "a"."id" FROM "loyalty_account" WHERE "a"."id" = 1',
            'UPDATE "loyalty_account" SET "balance" = 2',
            'INSERT INTO "core_outboxevent" (name) VALUES (%s)',
            'SAVEPOINT "s1_x1"',
            'SAVEPOINT "s1_x2"',
            'RELEASE SAVEPOINT "s1_x1"',
        ]
    )
    assert [(table, count) for table, count, _verbs in rows] == [
        ("loyalty_account", 2),
        ("(savepoint)", 2),
        ("core_outboxevent", 1),
        ("(release savepoint)", 1),
    ]
    assert rows[0][2] == {"SELECT": 1, "UPDATE": 1}
