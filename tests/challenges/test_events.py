from apps.challenges.events import ChallengeCompleted


def test_a_completed_challenge_is_credited_once_per_period():
    completed = ChallengeCompleted(
        profile="p-1", challenge="summer-streak", period="2026-W23", completed_total=4
    )

    assert completed.payload() == {
        "profile": "p-1",
        "challenge": "summer-streak",
        "period": "2026-W23",
        "completed_total": 4,
        "idempotency_key": "challenge:summer-streak:2026-W23",
    }
