from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from apps.campaigns.models import Campaign, Outcome, Question
from apps.campaigns.services import (
    campaign_duplicate,
    campaign_publish,
    campaign_publish_problems,
    campaign_set_hero_image,
    campaigns_follow_schedule,
    outcome_set_image,
)
from apps.core.exceptions import ApplicationError
from tests.campaigns.factories import (
    CampaignFactory,
    OptionFactory,
    OutcomeFactory,
    QuestionFactory,
)
from tests.consent.factories import published_purpose
from tests.preferences.factories import AttributeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_a_valid_campaign_goes_live(snack_quiz):
    campaign, *_ = snack_quiz
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.DRAFT)
    campaign.refresh_from_db()

    campaign_publish(campaign=campaign)

    assert Campaign.objects.live().filter(pk=campaign.pk).exists()


def test_publish_names_every_problem_and_keeps_the_draft(purpose):
    campaign = CampaignFactory(status=Campaign.Status.DRAFT, title_en="")
    empty = QuestionFactory(campaign=campaign, position=1)
    no_correct = QuestionFactory(campaign=campaign, position=2, text_en="")
    OptionFactory(question=no_correct)
    research = published_purpose(key="research")
    wish = AttributeFactory(key="wish", purpose=research, choices=["a"])
    OptionFactory(question=no_correct, attribute=wish, attribute_value="zzz", is_correct=True)

    problems = " ".join(str(p) for p in campaign_publish_problems(campaign=campaign))

    assert "title is missing" in problems
    assert f"Question {empty.position} has no answers" in problems
    assert "Question 2 needs its text in German and English" in problems
    assert "does not ask for its purpose" in problems
    assert "does not allow" in problems
    with pytest.raises(ApplicationError):
        campaign_publish(campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT


def test_a_trivia_quiz_needs_a_question_with_a_correct_answer():
    campaign = CampaignFactory(status=Campaign.Status.DRAFT)
    question = QuestionFactory(campaign=campaign, position=1)
    OptionFactory(question=question)

    problems = " ".join(str(p) for p in campaign_publish_problems(campaign=campaign))

    assert "no question with a correct answer" in problems


def test_a_trivia_quiz_may_ask_for_an_opinion_between_its_questions(snack_quiz):
    campaign, *_ = snack_quiz
    opinion = QuestionFactory(campaign=campaign, position=3)
    OptionFactory.create_batch(2, question=opinion)

    assert campaign_publish_problems(campaign=campaign) == []


def test_duplicate_copies_questions_answers_and_outcomes_as_a_draft(snack_quiz):
    campaign, *_ = snack_quiz

    copy = campaign_duplicate(campaign=campaign)

    assert (copy.slug, copy.status) == ("snack-quiz-copy", Campaign.Status.DRAFT)
    assert Question.objects.filter(campaign=copy).count() == 2
    assert list(copy.purposes.all()) == list(campaign.purposes.all())
    assert campaign_publish_problems(campaign=copy) == []


def test_campaigns_end_when_their_time_is_up(snack_quiz):
    campaign, *_ = snack_quiz
    Campaign.objects.filter(pk=campaign.pk).update(ends_at=timezone.now() - timedelta(minutes=1))

    assert campaigns_follow_schedule() == 1
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.ENDED


def test_a_scheduled_campaign_is_not_live_before_it_starts(snack_quiz):
    campaign, *_ = snack_quiz
    Campaign.objects.filter(pk=campaign.pk).update(starts_at=timezone.now() + timedelta(days=1))

    assert not Campaign.objects.live().exists()


@pytest.mark.usefixtures("media_in_tmp")
def test_seed_demo_creates_live_campaigns_with_pictures(settings):
    settings.DEBUG = True

    call_command("seed_demo")

    assert set(Campaign.objects.live().values_list("kind", flat=True)) == {
        "trivia",
        "personality",
        "poll",
        "survey",
    }
    assert Campaign.objects.live().filter(hero_image="").count() == 0
    assert not Outcome.objects.filter(image="").exists()


def test_campaign_admin_pages_render(client, admin_user, snack_quiz):
    campaign, first, *_ = snack_quiz
    client.force_login(admin_user)

    for url in (
        reverse("admin:campaigns_campaign_changelist"),
        reverse("admin:campaigns_campaign_change", args=[campaign.pk]),
        reverse("admin:campaigns_question_change", args=[first.pk]),
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    ("status", "starts", "ends"),
    [
        ("live", None, None),
        ("live", -1, 1),
        ("live", 1, None),
        ("live", None, -1),
        ("draft", None, None),
        ("ended", -1, None),
    ],
)
def test_is_running_agrees_with_the_live_queryset(status, starts, ends):
    now = timezone.now()
    campaign = CampaignFactory(
        status=status,
        starts_at=now + timedelta(days=starts) if starts is not None else None,
        ends_at=now + timedelta(days=ends) if ends is not None else None,
    )

    assert campaign.is_running == Campaign.objects.live().filter(pk=campaign.pk).exists()


def test_a_branch_must_lead_forward_within_the_campaign():
    campaign = CampaignFactory(status=Campaign.Status.DRAFT, kind=Campaign.Kind.SURVEY)
    first = QuestionFactory(campaign=campaign, position=1)
    second = QuestionFactory(campaign=campaign, position=2)
    OptionFactory(question=second, skip_to=first)
    OptionFactory(question=first)

    problems = " ".join(str(p) for p in campaign_publish_problems(campaign=campaign))

    assert "does not come later" in problems


@pytest.mark.usefixtures("media_in_tmp")
def test_a_hero_image_is_cropped_to_two_by_one_without_metadata(snack_quiz):
    campaign, *_ = snack_quiz
    upload = SimpleUploadedFile("hero.jpg", _jpeg_with_exif(1600, 1600), "image/jpeg")

    campaign_set_hero_image(campaign=campaign, upload=upload)

    campaign.refresh_from_db()
    with Image.open(campaign.hero_image.path) as stored:
        assert (stored.format, stored.size) == ("WEBP", (1200, 600))
        assert not stored.getexif()


@pytest.mark.usefixtures("media_in_tmp")
def test_an_outcome_image_that_is_not_an_image_is_refused(snack_quiz):
    campaign, *_ = snack_quiz
    outcome = OutcomeFactory(campaign=campaign, key="salty")

    with pytest.raises(ApplicationError, match="not an image"):
        outcome_set_image(
            outcome=outcome, upload=SimpleUploadedFile("x.png", b"not a picture", "image/png")
        )

    outcome.refresh_from_db()
    assert not outcome.image


def _jpeg_with_exif(width: int, height: int) -> bytes:
    image = Image.new("RGB", (width, height), "#c2410c")
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    buffer = BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def test_a_campaign_published_before_its_start_waits_scheduled_then_goes_live(snack_quiz):
    from apps.core.models import OutboxEvent

    campaign, *_ = snack_quiz
    campaign.status = Campaign.Status.DRAFT
    campaign.starts_at = timezone.now() + timedelta(hours=1)
    campaign.save()

    campaign_publish(campaign=campaign)

    assert campaign.status == Campaign.Status.SCHEDULED
    assert not Campaign.objects.live().exists()
    assert campaigns_follow_schedule() == 0

    assert campaigns_follow_schedule(now=timezone.now() + timedelta(hours=2)) == 1
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.LIVE
    assert OutboxEvent.objects.filter(name="campaign.started").exists()


def test_a_campaign_whose_end_has_passed_cannot_be_published(snack_quiz, english):
    campaign, *_ = snack_quiz
    campaign.status = Campaign.Status.DRAFT
    campaign.ends_at = timezone.now() - timedelta(minutes=1)
    campaign.save()

    with pytest.raises(ApplicationError, match="end lies in the past"):
        campaign_publish(campaign=campaign)

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT


def test_the_builder_offers_only_attributes_a_quiz_may_ask(admin_client, purpose):
    from tests.preferences.factories import AttributeFactory

    AttributeFactory(key="snack_taste", purpose=purpose, label_en="Snack taste")
    AttributeFactory(
        key="offers_declined", purpose=purpose, label_en="Snack offers declined", is_asked=False
    )

    found = admin_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "campaigns",
            "model_name": "option",
            "field_name": "attribute",
            "term": "snack",
        },
    ).json()

    assert [item["text"] for item in found["results"]] == ["snack_taste"]
