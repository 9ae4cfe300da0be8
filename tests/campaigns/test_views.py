import pytest
from django.test import Client
from django.urls import reverse

from apps.campaigns.models import Answer, Campaign, Participation
from apps.consent.models import ConsentState
from apps.loyalty.models import Account
from apps.preferences.models import Declaration
from tests.campaigns.factories import CampaignFactory
from tests.loyalty.factories import EarningRuleFactory

pytestmark = pytest.mark.django_db


def _start(client, slug="snack-quiz"):
    return client.post(reverse("campaigns:start", args=[slug]))


def _answer(client, number, option, slug="snack-quiz", **headers):
    return client.post(
        reverse("campaigns:answer", args=[slug, number]), {"option": option}, headers=headers
    )


def test_home_lists_live_campaigns_only(client, snack_quiz):
    CampaignFactory(slug="draft", status=Campaign.Status.DRAFT, title_de="Entwurf")

    html = client.get(reverse("home")).content.decode()

    assert "Quiz snack-quiz" in html
    assert "Entwurf" not in html


def test_intro_creates_nothing_until_start(client, snack_quiz):
    assert client.get(reverse("campaigns:intro", args=["snack-quiz"])).status_code == 200
    assert not Participation.objects.exists()

    response = _start(client)

    assert response["Location"] == reverse("campaigns:question", args=["snack-quiz", 1])
    assert Participation.objects.count() == 1


def test_play_to_the_end_without_javascript(client, snack_quiz):
    EarningRuleFactory(points=50)
    _campaign, _first, _second, options = snack_quiz
    _start(client)

    feedback = _answer(client, 1, options["right"].pk)
    onwards = client.get(feedback["Location"]).text
    last = _answer(client, 2, options["salty"].pk)
    page = client.get(reverse("campaigns:result", args=["snack-quiz"])).content.decode()

    assert feedback["Location"] == reverse("campaigns:question", args=["snack-quiz", 1])
    assert 'player__next" href="/c/snack-quiz/q/2/"' in onwards
    assert 'player__next" href="/c/snack-quiz/result/"' in client.get(last["Location"]).text
    assert "2 von 2 richtig" in page
    assert "+50" in page
    assert "<strong>salty (de)</strong>" in page
    assert "consent-personalization" in page


def test_with_htmx_the_feedback_and_then_the_next_question_replace_the_card(client, snack_quiz):
    _campaign, _first, _second, options = snack_quiz
    _start(client)

    feedback = _answer(client, 1, options["right"].pk, **{"HX-Request": "true"}).text
    following = client.get(
        reverse("campaigns:question", args=["snack-quiz", 2]), headers={"HX-Request": "true"}
    ).text

    assert feedback.strip().startswith('<section class="player" id="player"')
    assert "Richtig!" in feedback
    assert following.strip().startswith('<section class="player" id="player"')
    assert "Frage 2 von 2" in following


@pytest.mark.parametrize("posted", ["999999", "not-a-number", ""])
def test_bad_answers_show_a_message_and_store_nothing(client, snack_quiz, posted):
    _start(client)

    response = _answer(client, 1, posted)

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not Answer.objects.exists()


def test_a_crafted_post_cannot_skip_to_the_result(client, snack_quiz):
    _campaign, _first, _second, options = snack_quiz
    _start(client)

    response = _answer(client, 2, options["salty"].pk)
    shown = client.get(response["Location"], follow=True)

    assert shown.redirect_chain[-1][0] == "/c/snack-quiz/q/1/"
    assert not Participation.objects.filter(completed_at__isnull=False).exists()


def test_answering_without_a_csrf_token_is_refused(snack_quiz):
    strict = Client(enforce_csrf_checks=True)

    assert strict.post(reverse("campaigns:start", args=["snack-quiz"])).status_code == 403


def test_an_unknown_or_ended_campaign_is_a_404(client, snack_quiz):
    Campaign.objects.filter(slug="snack-quiz").update(status=Campaign.Status.ENDED)

    assert client.get(reverse("campaigns:intro", args=["snack-quiz"])).status_code == 404
    assert client.get(reverse("campaigns:intro", args=["nope"])).status_code == 404


def test_accepting_at_the_end_keeps_the_answers_on_the_profile(client, snack_quiz):
    _campaign, _first, _second, options = snack_quiz
    _start(client)
    _answer(client, 1, options["right"].pk)
    _answer(client, 2, options["salty"].pk)

    client.post(
        reverse("consent:decide", args=["personalization"]),
        {"decision": "grant", "collection_point": "campaign:snack-quiz"},
    )
    client.post(reverse("campaigns:finish", args=["snack-quiz"]))

    assert list(Declaration.objects.values_list("value", flat=True)) == ["salty"]
    assert ConsentState.objects.get().event.collection_point == "campaign:snack-quiz"


def test_declining_at_the_end_keeps_nothing_but_the_same_points(client, snack_quiz):
    EarningRuleFactory(points=50)
    _campaign, _first, _second, options = snack_quiz
    _start(client)
    _answer(client, 1, options["right"].pk)
    _answer(client, 2, options["salty"].pk)

    client.post(reverse("consent:decide", args=["personalization"]), {"decision": "withdraw"})
    client.post(reverse("campaigns:finish", args=["snack-quiz"]))

    assert not Declaration.objects.exists()
    assert Account.objects.get().balance == 50


@pytest.mark.parametrize("questions", [2, 8])
def test_each_player_step_runs_a_constant_number_of_queries(
    client, purpose, questions, django_assert_num_queries
):
    from tests.campaigns.factories import OptionFactory, QuestionFactory

    campaign = CampaignFactory(slug="long")
    for position in range(1, questions + 1):
        question = QuestionFactory(campaign=campaign, position=position)
        OptionFactory.create_batch(4, question=question)
    _start(client, slug="long")

    # session, profile, campaign, participation, chosen, re-prompt, last-seen update; the
    # questions and their options are kept by the process since the start read them
    with django_assert_num_queries(7):
        client.get(reverse("campaigns:question", args=["long", 1]))


def test_the_player_sees_a_change_through_each_service_at_once(client, purpose):
    from apps.campaigns.services import option_delete, question_save
    from tests.campaigns.factories import OptionFactory, QuestionFactory

    campaign = CampaignFactory(slug="long")
    question = QuestionFactory(campaign=campaign, position=1)
    OptionFactory(question=question, label_de="Alt", label_en="Old")
    _start(client, slug="long")
    assert "Alt" in client.get(reverse("campaigns:question", args=["long", 1])).text

    OptionFactory(question=question, label_de="Neu", label_en="New")
    assert "Neu" in client.get(reverse("campaigns:question", args=["long", 1])).text

    question.text_de = "Geänderte Frage?"
    question_save(question=question)
    assert "Geänderte Frage?" in client.get(reverse("campaigns:question", args=["long", 1])).text

    option_delete(option=question.options.get(label_de="Alt"))
    assert "Alt" not in client.get(reverse("campaigns:question", args=["long", 1])).text


@pytest.mark.parametrize("questions", [2, 8])
def test_each_answer_runs_a_constant_number_of_queries(
    client, purpose, questions, django_assert_num_queries
):
    from tests.campaigns.factories import OptionFactory, QuestionFactory

    campaign = CampaignFactory(slug="long")
    for position in range(1, questions + 1):
        question = QuestionFactory(campaign=campaign, position=position)
        OptionFactory.create_batch(4, question=question)
    _start(client, slug="long")
    option = campaign.questions.get(position=1).options.first()

    # campaign, session, profile, participation (the questions and options are kept by the
    # process); then the step's transaction (a savepoint pair here, as tests run inside
    # one): lock, every answer of the play (what each chose, so the way on is worked out
    # without a second read), insert the answer, its chosen option, the event
    with django_assert_num_queries(11):
        _answer(client, 1, option.pk, slug="long")


def test_too_many_starts_from_one_address_are_slowed_down(client, snack_quiz):
    from apps.campaigns.views import START_LIMIT

    limit = int(START_LIMIT.split("/")[0])
    responses = [_start(client).status_code for _ in range(limit + 1)]

    assert responses[-1] == 429
    assert set(responses[:-1]) == {302}
    assert Participation.objects.count() == 1


def test_the_theme_is_a_stylesheet_of_css_variables(client, snack_quiz):
    campaign, *_ = snack_quiz
    Campaign.objects.filter(pk=campaign.pk).update(theme_brand="#0a7f3f")

    response = client.get(reverse("campaigns:theme", args=["snack-quiz"]))
    page = client.get(reverse("campaigns:intro", args=["snack-quiz"])).content.decode()

    assert response["Content-Type"].startswith("text/css")
    assert "--color-brand: #0a7f3f;" in response.content.decode()
    assert reverse("campaigns:theme", args=["snack-quiz"]) in page


def test_a_theme_colour_must_be_a_hex_colour(snack_quiz):
    from django.core.exceptions import ValidationError

    campaign, *_ = snack_quiz
    campaign.theme_brand = "red; } body { display:none"

    with pytest.raises(ValidationError):
        campaign.full_clean()


def test_staff_preview_a_draft_and_customers_cannot(client, admin_user, snack_quiz):
    campaign, *_ = snack_quiz
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.DRAFT)
    url = reverse("campaigns:preview", args=["snack-quiz"])

    customer = client.get(url)
    client.force_login(admin_user)
    staff = client.get(url)

    assert customer.status_code == 302
    assert staff.status_code == 200
    assert "favourite_snack = salty" in staff.content.decode()
    assert not Participation.objects.exists()


def test_the_share_card_is_a_png_of_the_outcome_without_personal_data(client, profile):
    from io import BytesIO

    from PIL import Image

    from tests.campaigns.factories import OutcomeFactory

    campaign = CampaignFactory(slug="snack-type", kind=Campaign.Kind.PERSONALITY)
    OutcomeFactory(campaign=campaign, key="crunchy", title_de="Der Knusper-Fan")

    response = client.get(reverse("campaigns:card", args=["snack-type", "crunchy"]))
    missing = client.get(reverse("campaigns:card", args=["snack-type", "nope"]))

    assert response["Content-Type"] == "image/png"
    assert "public" in response["Cache-Control"]
    assert Image.open(BytesIO(response.content)).size == (1200, 630)
    assert missing.status_code == 404


def test_poll_totals_refresh_as_a_fragment(client, profile):
    from apps.campaigns.services import answer_submit, participation_complete, participation_start
    from tests.campaigns.factories import OptionFactory, QuestionFactory
    from tests.profiles.factories import ProfileFactory

    poll = CampaignFactory(slug="flavour", kind=Campaign.Kind.POLL)
    question = QuestionFactory(campaign=poll, position=1)
    lemon = OptionFactory(question=question, label_de="Zitrone")
    for voter in ProfileFactory.create_batch(4):
        participation = participation_start(campaign=poll, profile=voter, locale="de")
        answer_submit(participation=participation, question_id=question.pk, option_ids=[lemon.pk])
        participation_complete(participation=participation)
    _start(client, slug="flavour")
    client.post(reverse("campaigns:answer", args=["flavour", 1]), {"option": lemon.pk})

    result = client.get(reverse("campaigns:result", args=["flavour"])).content.decode()
    fragment = client.get(
        reverse("campaigns:poll", args=["flavour"]), headers={"HX-Request": "true"}
    )

    assert 'hx-trigger="every 10s"' in result
    assert fragment.content.decode().strip().startswith('<section id="poll-results"')
    assert "Zitrone" in fragment.content.decode()
    assert "100\N{NO-BREAK SPACE}%" in fragment.content.decode()
    assert client.get(reverse("campaigns:poll", args=["nope"])).status_code == 404


def test_the_last_answer_with_htmx_leaves_the_player_for_the_result(client, snack_quiz):
    _campaign, _first, _second, options = snack_quiz
    # Without trivia feedback to show first.
    Campaign.objects.filter(slug="snack-quiz").update(kind=Campaign.Kind.PERSONALITY)
    _start(client)
    _answer(client, 1, options["right"].pk, **{"HX-Request": "true"})

    last = _answer(client, 2, options["salty"].pk, **{"HX-Request": "true"})
    again = _answer(client, 2, options["salty"].pk)

    assert last["HX-Redirect"] == reverse("campaigns:result", args=["snack-quiz"])
    assert again["Location"] == reverse("campaigns:result", args=["snack-quiz"])


def test_an_overlong_number_is_an_error_not_a_crash(client, snack_quiz):
    _start(client)

    response = _answer(client, 1, "9" * 40)

    assert response.status_code == 200
    assert not Answer.objects.exists()


def test_after_the_campaign_ended_the_player_can_still_decide_what_we_keep(client, snack_quiz):
    _campaign, _first, _second, options = snack_quiz
    _start(client)
    _answer(client, 1, options["right"].pk)
    _answer(client, 2, options["salty"].pk)
    Campaign.objects.filter(slug="snack-quiz").update(status=Campaign.Status.ENDED)

    assert client.get(reverse("campaigns:result", args=["snack-quiz"])).status_code == 200
    assert client.post(reverse("campaigns:finish", args=["snack-quiz"])).status_code == 302
    assert not Answer.objects.exists()


def test_text_and_number_questions_play_without_javascript(client, profile):
    from tests.campaigns.factories import QuestionFactory

    campaign = CampaignFactory(slug="wishes", kind=Campaign.Kind.SURVEY)
    QuestionFactory(campaign=campaign, position=1, kind="number", scale_min=1, scale_max=99)
    QuestionFactory(campaign=campaign, position=2, kind="text")
    _start(client, slug="wishes")

    page = client.get(reverse("campaigns:question", args=["wishes", 1])).content.decode()
    client.post(reverse("campaigns:answer", args=["wishes", 1]), {"value": "42"})
    done = client.post(reverse("campaigns:answer", args=["wishes", 2]), {"text": "Mehr Tee"})

    assert 'type="number"' in page
    assert done["Location"] == reverse("campaigns:result", args=["wishes"])
    assert Participation.objects.get().completed_at is not None


def test_an_answer_can_branch_past_questions(client, profile):
    from tests.campaigns.factories import OptionFactory, QuestionFactory

    campaign = CampaignFactory(slug="branch", kind=Campaign.Kind.SURVEY)
    first, middle, last = (QuestionFactory(campaign=campaign, position=n) for n in (1, 2, 3))
    skip = OptionFactory(question=first, skip_to=last)
    OptionFactory(question=first)
    OptionFactory(question=middle)
    final = OptionFactory(question=last)
    _start(client, slug="branch")

    jumped = _answer(client, 1, skip.pk, slug="branch")
    done = _answer(client, 3, final.pk, slug="branch")

    assert jumped["Location"] == reverse("campaigns:question", args=["branch", 3])
    assert done["Location"] == reverse("campaigns:result", args=["branch"])
    assert Participation.objects.get().completed_at is not None


def test_a_mood_question_shows_five_faces_with_spoken_labels(client, profile):
    from tests.campaigns.factories import QuestionFactory

    campaign = CampaignFactory(slug="mood", kind=Campaign.Kind.SURVEY)
    QuestionFactory(campaign=campaign, position=1, kind="mood")
    _start(client, slug="mood")

    html = client.get(reverse("campaigns:question", args=["mood", 1])).content.decode()

    assert html.count('name="value"') == 5
    assert "4 von 5" in html


def test_the_player_sees_a_change_made_in_the_admin_at_once(client, admin_client, purpose):
    from tests.admin_forms import admin_form_data
    from tests.campaigns.factories import OptionFactory, QuestionFactory

    campaign = CampaignFactory(slug="long")
    question = QuestionFactory(campaign=campaign, position=1)
    option = OptionFactory(question=question, label_de="Alt", label_en="Old")
    _start(client, slug="long")
    assert "Alt" in client.get(reverse("campaigns:question", args=["long", 1])).text

    url = reverse("admin:campaigns_question_change", args=[question.pk])
    data = admin_form_data(admin_client.get(url))
    option_field = next(k for k, v in data.items() if k.endswith("-id") and v == option.pk)
    data[option_field.replace("-id", "-label_de")] = "Neu"
    data["text_de"] = "Geänderte Frage?"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]

    page = client.get(reverse("campaigns:question", args=["long", 1])).text
    assert "Neu" in page
    assert "Geänderte Frage?" in page

    campaign_url = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    data = admin_form_data(admin_client.get(campaign_url))
    question_field = next(k for k, v in data.items() if k.endswith("-id") and v == question.pk)
    data[question_field.replace("-id", "-text_de")] = "Noch einmal geändert?"
    response = admin_client.post(campaign_url, data)
    assert response.status_code == 302, response.context and response.context["errors"]

    page = client.get(reverse("campaigns:question", args=["long", 1])).text
    assert "Noch einmal geändert?" in page
