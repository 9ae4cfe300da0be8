"""Trivia feedback on the screen of the answer, answers that stand once it was shown, scores
that count only questions with a right answer, and the words at both ends of a scale."""

import pytest
from django.urls import reverse

from apps.campaigns.models import Answer, Campaign, OptionTally, Participation
from apps.campaigns.selectors import answer_feedback, question_step, scored_question_count
from apps.campaigns.services import answer_submit, participation_complete, participation_start
from apps.core.models import OutboxEvent
from apps.loyalty.models import Account
from tests.campaigns.factories import CampaignFactory, OptionFactory, QuestionFactory
from tests.loyalty.factories import EarningRuleFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def explained_quiz(snack_quiz):
    campaign, first, second, options = snack_quiz
    first.explanation_de = "Weil es so ist."
    first.explanation_en = "Because it is."
    first.save()
    return campaign, first, second, options


def _answer(client, number, option, **headers):
    return client.post(
        reverse("campaigns:answer", args=["snack-quiz", number]),
        {"option": option},
        headers=headers,
    )


def _question(client, number, **headers):
    return client.get(reverse("campaigns:question", args=["snack-quiz", number]), headers=headers)


def _start(client):
    return client.post(reverse("campaigns:start", args=["snack-quiz"]))


# Services and selectors


def test_answer_submit_keeps_a_trivia_answer_once_it_was_given(snack_quiz, profile):
    campaign, first, _second, options = snack_quiz
    participation = participation_start(campaign=campaign, profile=profile, locale="de")
    given = answer_submit(
        participation=participation, question_id=first.pk, option_ids=[options["wrong"].pk]
    )

    again = answer_submit(
        participation=participation, question_id=first.pk, option_ids=[options["right"].pk]
    )

    assert again == given
    assert list(Answer.objects.get().options.all()) == [options["wrong"]]
    assert Answer.objects.get().answered_at == given.answered_at
    assert OutboxEvent.objects.filter(name="question.answered").count() == 1


def test_answer_submit_lets_a_player_change_an_opinion(snack_quiz, profile):
    campaign, *_ = snack_quiz
    opinion = QuestionFactory(campaign=campaign, position=3)
    savoury, sweet = OptionFactory.create_batch(2, question=opinion)
    participation = participation_start(campaign=campaign, profile=profile, locale="de")

    for option in (savoury, sweet):
        answer_submit(participation=participation, question_id=opinion.pk, option_ids=[option.pk])

    assert list(Answer.objects.get().options.all()) == [sweet]


def test_completion_scores_only_questions_with_a_right_answer(snack_quiz, profile):
    campaign, first, second, options = snack_quiz
    opinion = QuestionFactory(campaign=campaign, position=3)
    no_wrong = QuestionFactory(campaign=campaign, position=4)
    picks = {
        first: options["right"],
        second: options["sweet"],
        opinion: OptionFactory(question=opinion),
        no_wrong: OptionFactory(question=no_wrong, is_correct=True),
    }
    OptionFactory(question=no_wrong, is_correct=True)
    participation = participation_start(campaign=campaign, profile=profile, locale="de")
    for question, option in picks.items():
        answer_submit(participation=participation, question_id=question.pk, option_ids=[option.pk])

    done = participation_complete(participation=participation)

    assert done.score == 1
    assert scored_question_count(campaign=Campaign.objects.get()) == 2


def test_answer_feedback_names_the_right_answer_and_the_explanation(explained_quiz, profile):
    campaign, first, _second, options = explained_quiz
    participation = participation_start(campaign=campaign, profile=profile, locale="de")
    participation.campaign = Campaign.objects.get()  # as a request reads it, after the edit
    before = answer_feedback(step=question_step(participation=participation, number=1))
    answer_submit(
        participation=participation, question_id=first.pk, option_ids=[options["wrong"].pk]
    )

    feedback = answer_feedback(step=question_step(participation=participation, number=1))

    assert before is None
    assert (feedback.right, feedback.time_up) == (False, False)
    assert feedback.chosen == [options["wrong"]]
    assert feedback.right_options == [options["right"]]
    assert feedback.explanation == "Weil es so ist."


# Pages


def test_a_wrong_answer_shows_the_right_one_and_the_explanation_on_the_same_screen(
    client, explained_quiz
):
    _campaign, _first, _second, options = explained_quiz
    _start(client)

    html = _answer(client, 1, options["wrong"].pk, **HTMX).text

    assert html.strip().startswith('<section class="player" id="player"')
    assert "Frage 1 von 2" in html
    assert "Nicht ganz." in html
    assert f"Richtige Antwort:\n    <strong>{options['right'].label_de}</strong>" in html
    assert "Weil es so ist." in html
    assert 'hx-get="/c/snack-quiz/q/2/"' in html
    assert 'name="option"' not in html


def test_a_right_answer_says_so(client, snack_quiz):
    _campaign, _first, _second, options = snack_quiz
    _start(client)

    html = _answer(client, 1, options["right"].pk, **HTMX).text

    assert "Richtig!" in html
    assert "Deine Antwort" not in html


def test_without_javascript_the_feedback_has_the_address_of_its_question(client, explained_quiz):
    _campaign, _first, _second, options = explained_quiz
    _start(client)

    response = _answer(client, 1, options["wrong"].pk)
    reloaded = _question(client, 1).text

    assert response["Location"] == reverse("campaigns:question", args=["snack-quiz", 1])
    assert "Nicht ganz." in reloaded
    assert "Weil es so ist." in reloaded
    assert 'href="/c/snack-quiz/q/2/"' in reloaded


def test_the_last_question_gets_feedback_and_then_leads_to_the_result(client, snack_quiz):
    _campaign, _first, _second, options = snack_quiz
    _start(client)
    _answer(client, 1, options["right"].pk)

    last = _answer(client, 2, options["sweet"].pk, **HTMX)
    reloaded = _question(client, 2)

    assert Participation.objects.get().completed_at is not None
    for page in (last.text, reloaded.text):
        assert "Nicht ganz." in page
        assert f"<strong>{options['salty'].label_de}</strong>" in page
        assert (
            '<a class="button player__next" href="/c/snack-quiz/result/">Zum Ergebnis</a>' in page
        )


def test_a_second_post_changes_nothing_and_shows_the_feedback_again(client, snack_quiz):
    EarningRuleFactory(points=50)
    _campaign, _first, _second, options = snack_quiz
    _start(client)
    _answer(client, 1, options["wrong"].pk)
    _answer(client, 2, options["salty"].pk)
    before = (
        Participation.objects.get().score,
        Account.objects.get().balance,
        dict(OptionTally.objects.values_list("option_id", "count")),
        list(Answer.objects.values_list("pk", "answered_at", "options")),
        OutboxEvent.objects.count(),
    )

    script = _answer(client, 1, options["right"].pk, **HTMX)
    plain = _answer(client, 1, options["right"].pk)

    assert "Nicht ganz." in script.text
    assert plain["Location"] == reverse("campaigns:question", args=["snack-quiz", 1])
    assert before == (
        Participation.objects.get().score,
        Account.objects.get().balance,
        dict(OptionTally.objects.values_list("option_id", "count")),
        list(Answer.objects.values_list("pk", "answered_at", "options")),
        OutboxEvent.objects.count(),
    )
    assert before[0] == 1


def test_a_second_post_before_the_end_keeps_the_first_answer(client, snack_quiz):
    _campaign, _first, _second, options = snack_quiz
    _start(client)
    _answer(client, 1, options["wrong"].pk)

    again = _answer(client, 1, options["right"].pk, **HTMX)

    assert "Nicht ganz." in again.text
    assert list(Answer.objects.get().options.all()) == [options["wrong"]]


def test_an_opinion_question_in_a_quiz_moves_straight_on_and_counts_for_nothing(client, snack_quiz):
    campaign, _first, _second, options = snack_quiz
    opinion = QuestionFactory(campaign=campaign, position=3)
    savoury = OptionFactory(question=opinion)
    _start(client)
    _answer(client, 1, options["right"].pk)
    _answer(client, 2, options["salty"].pk)

    done = _answer(client, 3, savoury.pk)
    result = client.get(done["Location"]).text

    assert done["Location"] == reverse("campaigns:result", args=["snack-quiz"])
    assert "2 von 2 richtig" in result


def test_a_question_left_unanswered_shows_the_form_not_feedback(client, snack_quiz):
    _start(client)

    html = _question(client, 1).text

    assert 'name="option"' in html
    assert "verdict" not in html


@pytest.mark.parametrize("questions", [2, 8])
def test_feedback_runs_a_constant_number_of_queries(
    client, purpose, questions, django_assert_num_queries
):
    campaign = CampaignFactory(slug="long")
    for position in range(1, questions + 1):
        question = QuestionFactory(campaign=campaign, position=position)
        OptionFactory(question=question, is_correct=True)
        OptionFactory.create_batch(3, question=question)
    client.post(reverse("campaigns:start", args=["long"]))
    right = campaign.questions.get(position=1).options.get(is_correct=True)
    url = reverse("campaigns:answer", args=["long", 1])

    # campaign, session, profile, participation; the step's transaction (a savepoint pair,
    # as tests run inside one): lock, every answer of the play, insert the answer, its chosen
    # option, the event; then the chosen answer for the feedback
    with django_assert_num_queries(12):
        client.post(url, {"option": right.pk}, headers=HTMX)
    # session, profile, campaign, participation, every answer of the play (the chosen one
    # and the way on), re-prompt, last-seen update
    with django_assert_num_queries(7):
        client.get(reverse("campaigns:question", args=["long", 1]))


def test_a_scale_shows_its_end_labels_on_one_row(client, profile):
    campaign = CampaignFactory(slug="nps", kind=Campaign.Kind.SURVEY)
    QuestionFactory(
        campaign=campaign,
        position=1,
        kind="scale",
        scale_min=0,
        scale_max=10,
        scale_label_low_de="gar nicht wahrscheinlich",
        scale_label_high_de="äußerst wahrscheinlich",
        scale_label_low_en="not at all likely",
        scale_label_high_en="extremely likely",
    )
    client.post(reverse("campaigns:start", args=["nps"]))

    german = client.get(reverse("campaigns:question", args=["nps", 1])).text
    client.cookies["django_language"] = "en"
    english = client.get(
        reverse("campaigns:question", args=["nps", 1]), headers={"Accept-Language": "en"}
    ).text

    assert german.count('name="value"') == 11
    assert 'class="scale scale--row scale--compact"' in german
    assert '<span id="scale-low-1">gar nicht wahrscheinlich</span>' in german
    assert 'id="scale-high-1">äußerst wahrscheinlich</span>' in german
    assert german.count('aria-describedby="scale-') == 2
    assert "extremely likely" in english


def test_staff_write_the_explanation_and_end_labels_in_each_language(admin_client, snack_quiz):
    _campaign, first, _second, _options = snack_quiz

    html = admin_client.get(reverse("admin:campaigns_question_change", args=[first.pk])).text

    for field in ("explanation", "scale_label_low", "scale_label_high"):
        assert f'name="{field}_de"' in html
        assert f'name="{field}_en"' in html
