from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.campaigns.models import Answer, Participation
from apps.campaigns.services import (
    answer_submit,
    participation_complete,
    participation_show_question,
    participation_start,
)
from apps.core.exceptions import ApplicationError

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def timed_quiz(snack_quiz, profile):
    campaign, first, second, options = snack_quiz
    campaign.seconds_per_question = 20
    campaign.save()
    participation = participation_start(campaign=campaign, profile=profile, locale="en")
    return participation, first, second, options


def _shown_seconds_ago(participation: Participation, seconds: int) -> Participation:
    Participation.objects.filter(pk=participation.pk).update(
        question_shown_at=timezone.now() - timedelta(seconds=seconds)
    )
    return Participation.objects.select_related("campaign").get(pk=participation.pk)


def test_the_clock_starts_when_a_question_is_first_shown_and_a_reload_does_not_reset_it(
    timed_quiz,
):
    participation, first, _second, _options = timed_quiz

    assert participation_show_question(participation=participation, question=first) == 20
    participation = _shown_seconds_ago(participation, 15)

    assert participation_show_question(participation=participation, question=first) == 5


def test_without_a_countdown_nothing_is_timed(snack_quiz):
    campaign, first, _second, _options = snack_quiz
    participation = participation_start(campaign=campaign, profile=None, locale="en")

    assert participation_show_question(participation=participation, question=first) is None
    assert Participation.objects.get().question_shown_at is None


def test_an_answer_in_time_scores_and_one_after_the_countdown_scores_nothing(timed_quiz):
    participation, first, second, options = timed_quiz
    participation_show_question(participation=participation, question=first)
    answer_submit(
        participation=participation, question_id=first.pk, option_ids=[options["right"].pk]
    )
    participation_show_question(participation=participation, question=second)
    late_player = _shown_seconds_ago(participation, 20 + 4)
    answer_submit(
        participation=late_player, question_id=second.pk, option_ids=[options["salty"].pk]
    )

    finished = participation_complete(participation=participation)

    assert finished.score == 1
    assert list(Answer.objects.order_by("question__position").values_list("late", flat=True)) == [
        False,
        True,
    ]


def test_answering_a_question_never_shown_counts_as_late(timed_quiz):
    participation, first, _second, options = timed_quiz

    answer = answer_submit(
        participation=participation, question_id=first.pk, option_ids=[options["right"].pk]
    )

    assert answer.late


def test_time_running_out_moves_on_with_an_empty_answer(timed_quiz):
    participation, first, _second, _options = timed_quiz
    participation_show_question(participation=participation, question=first)
    participation = _shown_seconds_ago(participation, 30)

    answer = answer_submit(participation=participation, question_id=first.pk, timed_out=True)

    assert answer.late
    assert list(answer.options.all()) == []


def test_claiming_the_time_ran_out_early_changes_nothing(timed_quiz):
    participation, first, _second, _options = timed_quiz
    participation_show_question(participation=participation, question=first)

    with pytest.raises(ApplicationError, match="Choose an answer"):
        answer_submit(participation=participation, question_id=first.pk, timed_out=True)

    assert not Answer.objects.exists()


def test_the_question_page_shows_the_seconds_left(visitor, timed_quiz):
    response = visitor.get(reverse("campaigns:question", args=["snack-quiz", 1]))

    assert response.status_code == 200
    assert b'data-countdown="20"' in response.content
    assert b"js/countdown" in response.content


def test_a_timed_out_post_says_so_with_the_right_answer_then_moves_on(visitor, timed_quiz):
    participation, _first, _second, options = timed_quiz
    visitor.get(reverse("campaigns:question", args=["snack-quiz", 1]))
    _shown_seconds_ago(participation, 25)

    response = visitor.post(
        reverse("campaigns:answer", args=["snack-quiz", 1]),
        {"timed_out": "1"},
        HTTP_HX_REQUEST="true",
    )
    following = visitor.get(
        reverse("campaigns:question", args=["snack-quiz", 2]), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert "Zeit ist um." in response.text
    assert f"<strong>{options['right'].label_de}</strong>" in response.text
    assert b"data-countdown" not in response.content
    assert b'href="/c/snack-quiz/q/2/"' in response.content
    assert b'data-countdown="20"' in following.content
