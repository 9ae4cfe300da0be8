"""The one-page campaign builder in the admin: what it shows, what one save does, where it
lands, and that its page costs the same queries for one question as for ten."""

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.messages import get_messages
from django.urls import reverse

from apps.campaigns.models import Campaign, Option
from apps.preferences.models import Attribute
from apps.privacy.roles import CAMPAIGN_MANAGER, roles_sync
from tests.admin_forms import admin_form_data
from tests.campaigns.factories import (
    CampaignFactory,
    OptionFactory,
    OutcomeFactory,
    QuestionFactory,
)
from tests.preferences.factories import AttributeFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:campaigns_campaign_add")
# Session, user and the second factor's device, the campaign, the publish check (campaign, questions with answers and
# their attributes, purposes, outcomes, bands), the builder's pickers (attributes with values,
# questions, outcomes), the inlines (questions with their answers, outcomes, bands), and the
# score-band dimension picker.
CHANGE_PAGE_QUERIES = 29


@pytest.fixture
def manager(client):
    roles_sync()
    user = User.objects.create_user(username="manager", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=CAMPAIGN_MANAGER))
    client.force_login(user)
    return client


def _change(campaign: Campaign) -> str:
    return reverse("admin:campaigns_campaign_change", args=[campaign.pk])


def _personality(questions: int, purpose) -> Campaign:
    campaign = CampaignFactory(kind=Campaign.Kind.PERSONALITY, status=Campaign.Status.DRAFT)
    campaign.purposes.add(purpose)
    AttributeFactory(key="snack", purpose=purpose, choices=["sweet", "salty"])
    for key in ("sweet", "salty"):
        OutcomeFactory(campaign=campaign, key=key)
    _add_questions(campaign, questions)
    return campaign


def _add_questions(campaign: Campaign, count: int, start: int = 1) -> None:
    """Questions of four answers, each counting towards an outcome and telling a snack."""
    snack = Attribute.objects.get(key="snack")
    outcomes = list(campaign.outcomes.order_by("key"))
    for position in range(start, start + count):
        question = QuestionFactory(campaign=campaign, position=position)
        for index, outcome in enumerate(outcomes * 2):
            OptionFactory(
                question=question,
                position=index,
                outcome=outcome,
                attribute=snack,
                attribute_value=outcome.key,
                skip_to=None,
            )


def test_the_builder_page_costs_the_same_queries_for_one_question_as_for_ten(
    manager, purpose, django_assert_num_queries
):
    campaign = _personality(1, purpose)
    manager.get(_change(campaign))  # content types and translations are kept per process
    with django_assert_num_queries(CHANGE_PAGE_QUERIES):
        manager.get(_change(campaign))

    _add_questions(campaign, 9, start=2)
    with django_assert_num_queries(CHANGE_PAGE_QUERIES):
        response = manager.get(_change(campaign))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('name="questions-0-options-3-label_de"') == 1
    assert 'name="questions-9-options-3-outcome_ref"' in html
    assert 'value="salty"' in html  # each answer names its outcome by key
    assert "Edit answers" not in html


def test_the_builder_shows_what_is_missing_before_going_live(manager):
    campaign = CampaignFactory(kind=Campaign.Kind.POLL, status=Campaign.Status.DRAFT)
    QuestionFactory(campaign=campaign, position=1)

    html = manager.get(_change(campaign)).content.decode()

    assert '<ul id="publish-check" class="errorlist"><li>Frage 1 hat keine Antworten.</li>' in html
    assert 'name="_publish"' in html
    assert 'name="_duplicate"' in html


def test_the_builder_shows_score_bands_to_campaign_managers(manager):
    campaign = CampaignFactory(kind=Campaign.Kind.SURVEY)

    html = manager.get(_change(campaign)).content.decode()

    assert 'id="score_bands-group"' in html
    assert 'id="outcomes-group"' in html


def _new_campaign_data(manager, **extra) -> dict:
    data = admin_form_data(manager.get(ADD))
    data.update(
        {
            "slug": "fruehstueck",
            "kind": Campaign.Kind.PERSONALITY,
            "title_de": "Frühstück",
            "title_en": "Breakfast",
            "outcomes-TOTAL_FORMS": 1,
            "outcomes-0-key": "early",
            "outcomes-0-title_de": "Frühaufsteher",
            "outcomes-0-title_en": "Early bird",
            "questions-TOTAL_FORMS": 2,
        }
    )
    for number, (de, en) in enumerate((("Wann?", "When?"), ("Was?", "What?"))):
        prefix = f"questions-{number}"
        data.update(
            {
                f"{prefix}-position": 1 - number,  # dragged: the second question comes first
                f"{prefix}-kind": "single",
                f"{prefix}-text_de": de,
                f"{prefix}-text_en": en,
                f"{prefix}-scale_min": 1,
                f"{prefix}-scale_max": 5,
                f"{prefix}-max_length": 280,
                f"{prefix}-options-TOTAL_FORMS": 2,
                f"{prefix}-options-INITIAL_FORMS": 0,
            }
        )
        for index in range(2):
            data[f"{prefix}-options-{index}-label_de"] = f"{de} {index}"
            data[f"{prefix}-options-{index}-label_en"] = f"{en} {index}"
            data[f"{prefix}-options-{index}-outcome_ref"] = "Early bird"
    data.update(extra)
    return data


def test_one_save_builds_questions_answers_and_outcomes_and_stays_on_the_campaign(manager):
    response = manager.post(ADD, _new_campaign_data(manager))

    campaign = Campaign.objects.get(slug="fruehstueck")
    assert response.status_code == 302
    assert response.url == _change(campaign)
    assert [q.text_de for q in campaign.questions.order_by("position")] == ["Was?", "Wann?"]
    assert list(campaign.questions.values_list("position", flat=True)) == [1, 2]
    assert Option.objects.filter(question__campaign=campaign, outcome__key="early").count() == 4
    message = str(next(iter(get_messages(response.wsgi_request))))
    assert ">Frühstück</a>“" in message
    assert "fruehstueck" not in message


def test_an_answer_naming_no_outcome_of_the_campaign_is_refused_on_its_field(manager):
    data = _new_campaign_data(manager, **{"questions-0-options-0-outcome_ref": "late"})

    response = manager.post(ADD, data)

    assert response.status_code == 200
    assert "Kein Ergebnis dieser Kampagne hat den Schlüssel oder Titel „late“." in (
        response.content.decode()
    )
    assert not Campaign.objects.exists()


def test_an_attribute_value_it_does_not_allow_is_refused_on_its_field(manager, purpose):
    snack = AttributeFactory(purpose=purpose, label_de="Snack", choices=["sweet", "salty"])
    data = _new_campaign_data(
        manager,
        **{
            "questions-0-options-0-attribute": snack.pk,
            "questions-0-options-0-attribute_value": "sour",
        },
    )

    response = manager.post(ADD, data)

    assert response.status_code == 200
    assert "Wähle einen der Werte von „Snack“: sweet, salty." in response.content.decode()


def test_reordering_questions_by_dragging_saves_the_new_order(manager, snack_quiz):
    campaign, first, second, _options = snack_quiz
    data = admin_form_data(manager.get(_change(campaign)))
    for key, value in list(data.items()):
        if key.endswith("-id") and key.count("-") == 2 and value in (first.pk, second.pk):
            data[key.replace("-id", "-position")] = 0 if value == second.pk else 1

    response = manager.post(_change(campaign), data)

    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.position, first.position) == (1, 2)


def test_save_and_go_live_publishes_and_names_the_campaign_by_its_title(manager, snack_quiz):
    campaign, *_ = snack_quiz
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.DRAFT)
    data = admin_form_data(manager.get(_change(campaign)))

    response = manager.post(_change(campaign), {**data, "_publish": "1"})

    assert response.url == _change(campaign)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.LIVE
    message = str(next(iter(get_messages(response.wsgi_request))))
    assert message == f"„{campaign.title_de}“ ist live."


def test_going_live_with_something_missing_lists_it_and_keeps_the_draft(manager):
    campaign = CampaignFactory(kind=Campaign.Kind.POLL, status=Campaign.Status.DRAFT)
    QuestionFactory(campaign=campaign, position=1)
    data = admin_form_data(manager.get(_change(campaign)))

    response = manager.post(_change(campaign), {**data, "_publish": "1"}, follow=True)

    html = response.content.decode()
    assert f"„{campaign.title_de}“ kann noch nicht starten:" in html
    assert "<li>Frage 1 hat keine Antworten.</li>" in html
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT


def test_duplicate_lands_on_the_copy(manager, snack_quiz):
    campaign, *_ = snack_quiz
    data = admin_form_data(manager.get(_change(campaign)))

    response = manager.post(_change(campaign), {**data, "_duplicate": "1"})

    copy = Campaign.objects.get(slug="snack-quiz-copy")
    assert response.url == _change(copy)
    assert copy.questions.count() == 2


def test_the_duplicate_action_lands_on_the_copy(manager, snack_quiz):
    campaign, *_ = snack_quiz

    response = manager.post(
        reverse("admin:campaigns_campaign_changelist"),
        {"action": "duplicate", "_selected_action": [campaign.pk]},
    )

    assert response.url == _change(Campaign.objects.get(slug="snack-quiz-copy"))


def test_a_question_saved_on_its_own_page_returns_to_its_campaign(admin_client, snack_quiz):
    campaign, first, *_ = snack_quiz
    url = reverse("admin:campaigns_question_change", args=[first.pk])

    response = admin_client.post(url, admin_form_data(admin_client.get(url)))

    assert response.status_code == 302
    assert response.url == _change(campaign)


def test_a_campaign_scheduled_ahead_shows_as_geplant(manager):
    from datetime import timedelta

    from django.utils import timezone

    campaign = CampaignFactory(
        status=Campaign.Status.SCHEDULED, starts_at=timezone.now() + timedelta(days=2)
    )

    html = manager.get(_change(campaign)).content.decode()

    assert "Geplant: beginnt am" in html
    assert "Ab diesem Moment kann niemand mehr spielen." in html


def test_a_new_campaign_can_be_saved_and_go_live_at_once(manager):
    data = _new_campaign_data(manager, _publish="1")

    response = manager.post(ADD, data)

    campaign = Campaign.objects.get(slug="fruehstueck")
    assert response.url == _change(campaign)
    assert campaign.status == Campaign.Status.LIVE
