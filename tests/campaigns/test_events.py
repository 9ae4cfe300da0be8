from datetime import date

from apps.campaigns.events import (
    CampaignViewed,
    ParticipationStarted,
    QuestionAnswered,
    QuizCompleted,
)

PLAY = {"profile": "p-1", "campaign": "summer", "participation": 7}


def test_a_completed_quiz_is_credited_once_per_participation():
    completed = QuizCompleted(**PLAY, kind="quiz", score=3, outcome=None)

    assert completed.payload() == {
        **PLAY,
        "kind": "quiz",
        "score": 3,
        "outcome": None,
        "points_withheld": "",
        "idempotency_key": "participation:7",
    }


def test_a_started_play_has_its_own_occurrence():
    assert ParticipationStarted(**PLAY).payload() == {
        **PLAY,
        "idempotency_key": "participation:7:start",
    }


def test_an_answer_is_one_occurrence_per_question_however_often_it_is_changed():
    first = QuestionAnswered(**PLAY, question=12)
    again = QuestionAnswered(**PLAY, question=12)

    assert first.payload() == {
        **PLAY,
        "question": 12,
        "idempotency_key": "participation:7:question:12",
    }
    assert first.idempotency_key == again.idempotency_key


def test_a_days_views_keep_the_day_for_the_outbox_encoder():
    assert CampaignViewed(campaign="summer", day=date(2026, 6, 1), views=3).payload() == {
        "campaign": "summer",
        "day": date(2026, 6, 1),
        "views": 3,
    }
