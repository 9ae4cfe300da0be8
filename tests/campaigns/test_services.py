import pytest

from apps.campaigns.models import Answer, Campaign, OptionTally, Participation
from apps.campaigns.selectors import player_questions
from apps.campaigns.services import (
    answer_submit,
    participation_complete,
    participation_keep_answers,
    participation_start,
)
from apps.core import process_cache
from apps.core.exceptions import ApplicationError
from apps.loyalty.models import Account
from apps.preferences.models import Declaration
from tests.campaigns.factories import (
    CampaignFactory,
    OptionFactory,
    OutcomeFactory,
    QuestionFactory,
)
from tests.consent.factories import grant_consent
from tests.loyalty.factories import EarningRuleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _play(participation, first, second, options, *, snack="salty", first_choice="right"):
    answer_submit(
        participation=participation, question_id=first.pk, option_ids=[options[first_choice].pk]
    )
    answer_submit(
        participation=participation, question_id=second.pk, option_ids=[options[snack].pk]
    )
    return participation_complete(participation=participation)


def test_participation_start_creates_the_profile_once_per_campaign(snack_quiz):
    campaign, *_ = snack_quiz

    first = participation_start(campaign=campaign, profile=None, locale="de")
    again = participation_start(campaign=campaign, profile=first.profile, locale="de")

    assert again == first
    assert Participation.objects.count() == 1


def test_a_campaign_that_is_not_live_cannot_be_started(profile):
    draft = CampaignFactory(status=Campaign.Status.DRAFT)

    with pytest.raises(ApplicationError, match="not running"):
        participation_start(campaign=draft, profile=profile, locale="de")


def test_answers_are_saved_as_given_and_counted_anonymously_once_finished(snack_quiz, profile):
    campaign, first, second, options = snack_quiz
    participation = participation_start(campaign=campaign, profile=profile, locale="de")

    answer_submit(
        participation=participation, question_id=first.pk, option_ids=[options["right"].pk]
    )

    assert list(Answer.objects.get().options.all()) == [options["right"]]
    assert not OptionTally.objects.exists()
    answer_submit(
        participation=participation, question_id=second.pk, option_ids=[options["salty"].pk]
    )
    participation_complete(participation=participation)
    tallies = dict(OptionTally.objects.values_list("option_id", "count"))
    assert tallies == {options["right"].pk: 1, options["salty"].pk: 1}


@pytest.mark.parametrize(
    ("question", "choice", "message"),
    [
        ("other_campaign", "right", "not part of this campaign"),
        ("first", "salty", "answers offered"),
        ("first", None, "Choose an answer"),
        ("first", "both", "Choose one answer"),
    ],
)
def test_bad_answers_are_refused_and_change_nothing(snack_quiz, profile, question, choice, message):
    campaign, first, _second, options = snack_quiz
    participation = participation_start(campaign=campaign, profile=profile, locale="de")
    other = QuestionFactory()
    question_id = {"first": first.pk, "other_campaign": other.pk}[question]
    option_ids = {
        "right": [options["right"].pk],
        "salty": [options["salty"].pk],
        None: [],
        "both": [options["right"].pk, options["wrong"].pk],
    }[choice]

    with pytest.raises(ApplicationError, match=message):
        answer_submit(participation=participation, question_id=question_id, option_ids=option_ids)

    assert not Answer.objects.exists()


def test_finishing_needs_every_answer(snack_quiz, profile):
    campaign, first, _second, options = snack_quiz
    participation = participation_start(campaign=campaign, profile=profile, locale="de")
    answer_submit(
        participation=participation, question_id=first.pk, option_ids=[options["right"].pk]
    )

    with pytest.raises(ApplicationError, match="every question"):
        participation_complete(participation=participation)


def test_completion_scores_trivia_and_credits_points_once(snack_quiz, profile):
    EarningRuleFactory(points=50)
    campaign, first, second, options = snack_quiz
    participation = participation_start(campaign=campaign, profile=profile, locale="de")

    done = _play(participation, first, second, options, first_choice="wrong")
    again = participation_complete(participation=participation)

    assert (done.score, again.completed_at) == (1, done.completed_at)
    assert Account.objects.get(profile=profile).balance == 50


def test_answering_after_finishing_is_refused(snack_quiz, profile):
    campaign, first, second, options = snack_quiz
    participation = participation_start(campaign=campaign, profile=profile, locale="de")
    _play(participation, first, second, options)

    with pytest.raises(ApplicationError, match="finished"):
        answer_submit(
            participation=participation, question_id=first.pk, option_ids=[options["wrong"].pk]
        )


def test_a_personality_quiz_picks_the_outcome_with_most_votes(profile):
    campaign = CampaignFactory(kind=Campaign.Kind.PERSONALITY)
    salty, sweet = OutcomeFactory(campaign=campaign), OutcomeFactory(campaign=campaign)
    questions = [QuestionFactory(campaign=campaign, position=n) for n in (1, 2, 3)]
    picks = [
        OptionFactory(question=questions[0], outcome=salty),
        OptionFactory(question=questions[1], outcome=sweet),
        OptionFactory(question=questions[2], outcome=salty),
    ]
    participation = participation_start(campaign=campaign, profile=profile, locale="de")
    for question, option in zip(questions, picks, strict=True):
        answer_submit(participation=participation, question_id=question.pk, option_ids=[option.pk])

    assert participation_complete(participation=participation).outcome == salty


def test_kept_answers_become_declarations_when_the_purpose_is_granted(snack_quiz, profile, purpose):
    campaign, first, second, options = snack_quiz
    grant_consent(profile, purpose, collection_point="campaign:snack-quiz")
    participation = _play(
        participation_start(campaign=campaign, profile=profile, locale="de"), first, second, options
    )

    (declaration,) = participation_keep_answers(participation=participation)

    assert (declaration.attribute.key, declaration.value) == ("favourite_snack", "salty")
    assert declaration.source_ref == f"participation:{participation.pk}"
    assert declaration.source_label == "Quiz snack-quiz"


def test_without_consent_answers_leave_the_profile_and_points_stay_the_same(
    snack_quiz, profile_refusing_everything
):
    EarningRuleFactory(points=50)
    campaign, first, second, options = snack_quiz
    participation = participation_start(
        campaign=campaign, profile=profile_refusing_everything, locale="de"
    )
    _play(participation, first, second, options)

    kept = participation_keep_answers(participation=participation)

    assert kept == []
    assert not Declaration.objects.exists()
    assert not Answer.objects.exists()
    assert OptionTally.objects.get(option=options["salty"]).count == 1
    assert Account.objects.get(profile=profile_refusing_everything).balance == 50


def test_a_withheld_answer_is_not_kept_even_with_consent(snack_quiz, profile, purpose):
    from apps.campaigns.services import participation_withhold

    campaign, first, second, options = snack_quiz
    grant_consent(profile, purpose, collection_point="campaign:snack-quiz")
    participation = _play(
        participation_start(campaign=campaign, profile=profile, locale="de"), first, second, options
    )

    participation_withhold(participation=participation, attribute_id=options["salty"].attribute_id)
    kept = participation_keep_answers(participation=participation)

    assert kept == []
    assert not Declaration.objects.exists()


def test_withholding_something_the_answers_did_not_say_is_refused(snack_quiz, profile):
    from apps.campaigns.services import participation_withhold

    campaign, first, second, options = snack_quiz
    participation = _play(
        participation_start(campaign=campaign, profile=profile, locale="de"), first, second, options
    )

    with pytest.raises(ApplicationError, match="None of your answers"):
        participation_withhold(participation=participation, attribute_id=999999)


@pytest.fixture
def self_check(profile):
    campaign = CampaignFactory(kind=Campaign.Kind.SURVEY)
    questions = [
        QuestionFactory(campaign=campaign, position=n, kind="scale", dimension_de=dimension)
        for n, dimension in enumerate(["Listening", "Listening", "Acting"], 1)
    ]
    return campaign, questions


@pytest.mark.parametrize("value", [None, 0, 6])
def test_a_scale_answer_outside_the_scale_is_refused(self_check, profile, value):
    campaign, questions = self_check
    participation = participation_start(campaign=campaign, profile=profile, locale="de")

    with pytest.raises(ApplicationError, match="from 1 to 5"):
        answer_submit(participation=participation, question_id=questions[0].pk, number=value)

    assert not Answer.objects.exists()


def test_a_self_assessment_scores_each_dimension(self_check, profile):
    from apps.campaigns.selectors import dimension_scores

    campaign, questions = self_check
    participation = participation_start(campaign=campaign, profile=profile, locale="de")
    for question, value in zip(questions, [4, 5, 2], strict=True):
        answer_submit(participation=participation, question_id=question.pk, number=value)
    participation_complete(participation=participation)

    scores = {s.name: (s.average, s.maximum) for s in dimension_scores(participation=participation)}

    assert scores == {"Listening": (4.5, 5), "Acting": (2.0, 5)}


def test_a_scale_answer_can_declare_a_scale_preference(profile):
    from tests.consent.factories import published_purpose
    from tests.preferences.factories import AttributeFactory

    research = published_purpose(key="research")
    score = AttributeFactory(
        key="recommend_score", kind="scale", purpose=research, min_value=0, max_value=10
    )
    campaign = CampaignFactory(kind=Campaign.Kind.SURVEY)
    campaign.purposes.add(research)
    question = QuestionFactory(
        campaign=campaign, position=1, kind="scale", scale_min=0, scale_max=10, attribute=score
    )
    grant_consent(profile, research, collection_point="campaign:nps")
    participation = participation_start(campaign=campaign, profile=profile, locale="de")
    answer_submit(participation=participation, question_id=question.pk, number=9)
    participation_complete(participation=participation)

    (declaration,) = participation_keep_answers(participation=participation)

    assert (declaration.attribute.key, declaration.value) == ("recommend_score", 9)


def test_answers_never_kept_leave_the_profile_after_a_day(snack_quiz, profile):
    from datetime import timedelta

    from django.utils import timezone

    from apps.campaigns.services import participations_forget_unkept_answers

    campaign, first, second, options = snack_quiz
    participation = _play(
        participation_start(campaign=campaign, profile=profile, locale="de"), first, second, options
    )
    Participation.objects.filter(pk=participation.pk).update(
        completed_at=timezone.now() - timedelta(hours=25)
    )

    participations_forget_unkept_answers()

    assert not Answer.objects.exists()
    participation.refresh_from_db()
    assert participation.answers_kept_at is not None


def test_re_answering_is_one_occurrence_for_earning_rules(snack_quiz, profile):
    EarningRuleFactory(event_name="question.answered", points=5)
    campaign, first, _second, options = snack_quiz
    participation = participation_start(campaign=campaign, profile=profile, locale="de")

    for _ in range(3):
        answer_submit(
            participation=participation, question_id=first.pk, option_ids=[options["wrong"].pk]
        )

    assert Account.objects.get(profile=profile).balance == 5


@pytest.mark.parametrize(
    ("kind", "given", "message"),
    [
        ("text", {"text": "   "}, "few words"),
        ("text", {"text": "x" * 281}, "280 characters"),
        ("number", {"number": 120}, "Enter a number from 1 to 99"),
        ("number", {}, "Enter a number from 1 to 99"),
    ],
)
def test_text_and_number_answers_are_checked(profile, kind, given, message):
    campaign = CampaignFactory(kind=Campaign.Kind.SURVEY)
    question = QuestionFactory(campaign=campaign, position=1, kind=kind, scale_min=1, scale_max=99)
    participation = participation_start(campaign=campaign, profile=profile, locale="de")

    with pytest.raises(ApplicationError, match=message):
        answer_submit(participation=participation, question_id=question.pk, **given)

    assert not Answer.objects.exists()


def test_a_text_answer_can_declare_a_text_preference(profile):
    from tests.consent.factories import published_purpose
    from tests.preferences.factories import AttributeFactory

    research = published_purpose(key="research")
    wish = AttributeFactory(key="product_wish", kind="text", purpose=research, max_length=280)
    campaign = CampaignFactory(kind=Campaign.Kind.SURVEY)
    campaign.purposes.add(research)
    question = QuestionFactory(campaign=campaign, position=1, kind="text", attribute=wish)
    grant_consent(profile, research, collection_point="campaign:wish")
    participation = participation_start(campaign=campaign, profile=profile, locale="de")
    answer_submit(participation=participation, question_id=question.pk, text="  Mehr Tee  ")
    participation_complete(participation=participation)

    (declaration,) = participation_keep_answers(participation=participation)

    assert declaration.value == "Mehr Tee"


def test_a_mood_answer_is_one_of_five_faces(profile):
    campaign = CampaignFactory(kind=Campaign.Kind.SURVEY)
    question = QuestionFactory(campaign=campaign, position=1, kind="mood")
    participation = participation_start(campaign=campaign, profile=profile, locale="de")

    with pytest.raises(ApplicationError, match="from 1 to 5"):
        answer_submit(participation=participation, question_id=question.pk, number=6)
    answer = answer_submit(participation=participation, question_id=question.pk, number=4)

    assert answer.number == 4


def test_an_image_choice_needs_a_clean_picture_for_every_answer(settings, tmp_path):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from apps.campaigns.services import campaign_publish_problems, option_set_image

    settings.MEDIA_ROOT = tmp_path
    campaign = CampaignFactory(kind=Campaign.Kind.SURVEY)
    question = QuestionFactory(campaign=campaign, position=1, kind="image")
    with_picture, without = OptionFactory(question=question), OptionFactory(question=question)
    buffer = BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    Image.new("RGB", (900, 600), "green").save(buffer, format="JPEG", exif=exif)

    option_set_image(option=with_picture, upload=SimpleUploadedFile("p.jpg", buffer.getvalue()))

    with Image.open(with_picture.image.path) as stored:
        assert stored.size == (400, 400)
        assert not stored.getexif()
    problems = " ".join(str(p) for p in campaign_publish_problems(campaign=campaign))
    assert "needs an image for every answer" in problems
    assert without.image.name == ""


def test_player_questions_ask_the_shared_cache_at_most_once_a_second(snack_quiz, monkeypatch):
    campaign = snack_quiz[0]

    asked = []
    versions = process_cache._versions
    monkeypatch.setattr(
        process_cache, "_versions", lambda names: asked.append(names) or versions(names)
    )

    for _ in range(3):
        player_questions(campaign=Campaign.objects.get(pk=campaign.pk))

    assert len(asked) <= 1
