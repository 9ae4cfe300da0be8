from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from apps.challenges.models import Challenge
from apps.challenges.services import step_event_names
from apps.core.models import OutboxEvent
from tests.challenges.factories import StepFactory
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db


def _png() -> SimpleUploadedFile:
    buffer = BytesIO()
    image = Image.new("RGB", (1200, 900), "#0f766e")
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_the_preview_counts_who_would_have_completed_in_the_last_month(admin_client):
    step = StepFactory(required_count=2, conditions={"campaign": "tagesfrage"})
    regular, once = ProfileFactory(), ProfileFactory()
    for profile, times in ((regular, 3), (once, 1)):
        for _ in range(times):
            OutboxEvent.objects.create(
                name="quiz.completed",
                payload={"profile": str(profile.public_id), "campaign": "tagesfrage"},
                created_at=timezone.now(),
            )

    response = admin_client.get(
        reverse("admin:challenges_challenge_change", args=[step.challenge.pk])
    )

    assert response.status_code == 200
    assert b"1 Kundinnen und Kunden (nur die Zahl)" in response.content


def test_staff_build_a_challenge_with_a_step_and_an_image_without_metadata(
    admin_client, media_in_tmp
):
    data = {
        "slug": "neu",
        "title_de": "Neu",
        "title_en": "New",
        "recurrence": "once",
        "is_active": "on",
        "position": "0",
        "image_upload": _png(),
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        "steps-0-position": "0",
        "steps-0-kind": "count",
        "steps-0-label_de": "Quiz",
        "steps-0-label_en": "Quiz",
        "steps-0-event_name": "quiz.completed",
        "steps-0-required_count": "3",
        "steps-0-condition_property": "campaign",
        "steps-0-condition_value": "tagesfrage",
        "steps-0-streak_unit": "day",
        "steps-0-grace_periods": "0",
    }

    response = admin_client.post(reverse("admin:challenges_challenge_add"), data)

    assert response.status_code == 302, response.content[:3000]
    challenge = Challenge.objects.get(slug="neu")
    step = challenge.steps.get()
    assert (step.required_count, step.conditions) == (3, {"campaign": "tagesfrage"})
    with Image.open(challenge.image.path) as stored:
        assert stored.size == (600, 300)
        assert not stored.getexif()


def test_a_step_counting_nothing_is_refused_in_the_admin(admin_client):
    data = {
        "slug": "kaputt",
        "title_de": "K",
        "title_en": "K",
        "recurrence": "once",
        "position": "0",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        "steps-0-position": "0",
        "steps-0-kind": "count",
        "steps-0-label_de": "Quiz",
        "steps-0-label_en": "Quiz",
        "steps-0-event_name": "quiz.completed",
        "steps-0-required_count": "0",
        "steps-0-streak_unit": "day",
        "steps-0-grace_periods": "0",
    }

    response = admin_client.post(reverse("admin:challenges_challenge_add"), data)

    assert response.status_code == 200
    assert not Challenge.objects.exists()


def test_a_challenge_deleted_in_the_admin_is_no_longer_counted_by_any_process(admin_client):
    step = StepFactory(event_name="quiz.completed")
    assert "quiz.completed" in step_event_names()

    response = admin_client.post(
        reverse("admin:challenges_challenge_delete", args=[step.challenge.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert "quiz.completed" not in step_event_names()
