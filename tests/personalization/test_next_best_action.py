from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.consent.evidence import Evidence
from apps.consent.models import Channel
from apps.consent.services import consent_withdraw
from apps.loyalty.services import ledger_credit
from apps.personalization.selectors import next_best_action
from apps.preferences.models import Declaration, Source
from tests.campaigns.factories import CampaignFactory, OptionFactory, QuestionFactory
from tests.consent.factories import grant_consent
from tests.loyalty.factories import RewardFactory
from tests.preferences.factories import AttributeFactory
from tests.profiles.factories import ProfileFactory
from tests.profiles.helpers import browse_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz(purpose):
    """A live quiz whose answers tell us two things."""
    campaign = CampaignFactory(slug="snack-typ", title_de="Snack-Typ")
    for position, key in enumerate(("diet", "taste"), start=1):
        attribute = AttributeFactory(key=key, purpose=purpose, freshness_days=30)
        question = QuestionFactory(campaign=campaign, position=position)
        OptionFactory(question=question, attribute=attribute, attribute_value="sweet")
    return campaign


def test_a_first_visit_gets_no_suggestion():
    assert next_best_action(profile=None) is None


def test_the_quiz_that_fills_the_biggest_gap_comes_first(quiz):
    action = next_best_action(profile=ProfileFactory())

    assert (action.kind, action.title) == ("quiz", "Snack-Typ")
    assert "2" in action.reason
    assert action.url == quiz.get_absolute_url()


def test_a_stale_answer_is_worth_reconfirming_once_the_quizzes_are_played(quiz, purpose):
    profile = ProfileFactory()
    grant = grant_consent(profile, purpose)
    long_ago = timezone.now() - timedelta(days=90)
    for key in ("diet", "taste"):
        Declaration.objects.create(
            profile=profile,
            attribute_id=quiz.questions.get(options__attribute__key=key).options.get().attribute_id,
            value="sweet",
            source=Source.QUIZ,
            consent_event=grant,
            declared_at=long_ago,
            confirmed_at=long_ago,
        )

    action = next_best_action(profile=profile)

    assert action.kind == "reconfirm"
    assert action.url.endswith("#pref-diet") or action.url.endswith("#pref-taste")


def test_a_reward_they_can_afford_beats_nothing_else_to_do():
    profile = ProfileFactory()
    ledger_credit(profile=profile, points=300, idempotency_key="k", reason="quiz")
    RewardFactory(cost=200, title_de="Gutschein")
    RewardFactory(cost=900)

    action = next_best_action(profile=profile)

    assert (action.kind, action.title) == ("reward", "Gutschein")


def test_the_home_page_shows_the_next_step_to_a_returning_customer(client, quiz):
    profile = ProfileFactory()
    browse_as(client, profile)

    response = client.get(reverse("home"))

    assert "Dein nächster Schritt".encode() in response.content
    assert b"Snack-Typ" in response.content


def test_a_first_visit_to_the_home_page_costs_no_query_for_it(
    client, quiz, django_assert_max_num_queries
):
    client.get(reverse("home"))  # fills the cached part of the page

    with django_assert_max_num_queries(0):
        response = client.get(reverse("home"))

    assert "Dein nächster Schritt".encode() not in response.content


def test_a_quiz_is_not_suggested_for_what_the_customer_told_us_under_a_withdrawn_purpose(
    quiz, purpose
):
    profile = ProfileFactory()
    grant = grant_consent(profile, purpose)
    for question in quiz.questions.all():
        Declaration.objects.create(
            profile=profile,
            attribute_id=question.options.get().attribute_id,
            value="sweet",
            source=Source.QUIZ,
            consent_event=grant,
        )
    consent_withdraw(
        profile=profile,
        purpose=purpose,
        channel=Channel.WEB,
        collection_point="preference-center",
        evidence=Evidence(),
        language="de",
    )

    action = next_best_action(profile=profile)

    assert action is None or action.kind != "quiz"
