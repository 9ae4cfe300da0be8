from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from PIL import Image

from apps.campaigns.events import QuizCompleted
from apps.core.exceptions import ApplicationError
from apps.loyalty.models import EarningRule, Reward, RewardCode
from apps.loyalty.selectors import earning_rule_preview
from apps.loyalty.services import reward_codes_import, reward_save
from tests.events import publish_part
from tests.loyalty.factories import RewardFactory
from tests.profiles.factories import ProfileFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "media_in_tmp")]


def _jpeg_with_exif(size=(1200, 900)) -> SimpleUploadedFile:
    image = Image.new("RGB", size, "orange")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # camera make
    buffer = BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("codes.csv", text.encode(), content_type="text/csv")


def test_reward_save_stores_fixed_sizes_without_exif():
    reward = reward_save(
        reward=Reward(title_de="Box", title_en="Box", cost=10), image=_jpeg_with_exif()
    )

    for field, size in (("image", 800), ("thumbnail", 200)):
        with Image.open(getattr(reward, field).path) as stored:
            assert stored.size == (size, size)
            assert stored.format == "WEBP"
            assert not stored.getexif()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("fake.jpg", b"not an image at all"), "not an image"),
        (SimpleUploadedFile("huge.jpg", b"0" * (9 * 1024 * 1024)), "too large"),
    ],
)
def test_reward_save_refuses_bad_images_and_saves_nothing(upload, message):
    with pytest.raises(ApplicationError, match=message):
        reward_save(reward=Reward(title_de="Box", title_en="Box", cost=10), image=upload)

    assert not Reward.objects.exists()


def test_reward_codes_import_adds_every_code():
    reward = RewardFactory(fulfilment=Reward.Fulfilment.CODE_POOL)

    assert reward_codes_import(reward=reward, upload=_csv("AAA\nBBB,extra\n\nCCC\n")) == 3
    assert set(RewardCode.objects.values_list("code", flat=True)) == {"AAA", "BBB", "CCC"}


@pytest.mark.parametrize("text", ["AAA\nBBB\nAAA\n", "ZZZ\nOLD\n"])
def test_reward_codes_import_refuses_duplicates_and_imports_nothing(text):
    reward = RewardFactory(fulfilment=Reward.Fulfilment.CODE_POOL)
    RewardCode.objects.create(reward=reward, code="OLD")

    with pytest.raises(ApplicationError, match="Duplicate codes"):
        reward_codes_import(reward=reward, upload=_csv(text))

    assert list(RewardCode.objects.values_list("code", flat=True)) == ["OLD"]


def test_reward_codes_import_refuses_binary_files():
    reward = RewardFactory()

    with pytest.raises(ApplicationError, match="UTF-8"):
        reward_codes_import(reward=reward, upload=SimpleUploadedFile("x.csv", b"\xff\xfe\x00\xd8"))


def test_earning_rule_preview_counts_matching_events_of_the_last_30_days():
    rule = EarningRule.objects.create(
        name="Summer", event_name="quiz.completed", points=50, conditions={"campaign": "summer"}
    )
    someone, other = ProfileFactory.create_batch(2)
    with transaction.atomic():
        for profile, campaign in [(someone, "summer"), (someone, "summer"), (other, "winter")]:
            publish_part(QuizCompleted, profile=str(profile.public_id), campaign=campaign)

    preview = earning_rule_preview(rule=rule)

    assert (preview.events, preview.customers, preview.points) == (2, 1, 100)


def test_admin_rejects_a_non_image_upload_with_a_message(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:loyalty_reward_add"),
        {
            "title_de": "Box",
            "title_en": "Box",
            "cost": 10,
            "fulfilment": "generated",
            "is_active": "on",
            "position": 0,
            "codes-TOTAL_FORMS": 0,
            "codes-INITIAL_FORMS": 0,
            "image_upload": SimpleUploadedFile("x.png", b"nope"),
        },
    )

    assert response.status_code == 200
    assert "kein Bild, das wir lesen können" in response.content.decode()
    assert not Reward.objects.exists()


def test_admin_pages_for_loyalty_render(client, admin_user):
    client.force_login(admin_user)
    reward = RewardFactory()
    rule = EarningRule.objects.create(name="Quiz", event_name="quiz.completed", points=5)

    for url in (
        reverse("admin:loyalty_account_changelist"),
        reverse("admin:loyalty_reward_codes", args=[reward.pk]),
        reverse("admin:loyalty_earningrule_change", args=[rule.pk]),
        reverse("admin:loyalty_reward_change", args=[reward.pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_staff_adjust_points_with_a_reason_and_are_on_record(client, admin_user, profile):
    from apps.loyalty.models import LedgerEntry
    from apps.loyalty.services import ledger_credit

    ledger_credit(profile=profile, points=10, idempotency_key="k", reason="Quiz")
    account = profile.account
    client.force_login(admin_user)
    url = reverse("admin:loyalty_account_adjust", args=[account.pk])

    refused = client.post(url, {"points": -50, "reason": "Too much", "key": "adj-1"})
    booked = client.post(url, {"points": 5, "reason": "Goodwill", "key": "adj-2"})

    assert refused.status_code == 200
    assert booked.status_code == 302
    entry = LedgerEntry.objects.get(kind="adjust")
    assert (entry.amount, entry.reason, entry.staff_user) == (5, "Goodwill", admin_user)


def test_a_rule_that_has_paid_points_cannot_be_deleted_only_switched_off(client, admin_user):
    from apps.loyalty.models import LedgerEntry
    from apps.loyalty.selectors import points_earned_for

    client.force_login(admin_user)
    used = EarningRule.objects.create(name="Quiz", event_name="quiz.completed", points=5)
    unused = EarningRule.objects.create(name="Umfrage", event_name="survey.done", points=5)
    profile = ProfileFactory()
    publish_part(QuizCompleted, profile=str(profile.public_id), idempotency_key="participation:7")
    assert LedgerEntry.objects.filter(source_ref=f"rule:{used.pk}").exists()

    response = client.post(
        reverse("admin:loyalty_earningrule_delete", args=[used.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert EarningRule.objects.filter(pk=used.pk).exists()
    assert points_earned_for(profile=profile, occurrence="participation:7") == 5
    changelist = client.get(reverse("admin:loyalty_earningrule_changelist"))
    assert "delete_selected" not in changelist.content.decode()

    client.post(reverse("admin:loyalty_earningrule_delete", args=[unused.pk]), {"post": "yes"})
    assert not EarningRule.objects.filter(pk=unused.pk).exists()


def test_staff_save_a_reward_with_an_image_and_the_change_is_on_record(client, admin_user):
    from apps.audit.models import ConfigChange

    client.force_login(admin_user)
    reward = RewardFactory(image="rewards/box.webp")

    response = client.post(
        reverse("admin:loyalty_reward_change", args=[reward.pk]),
        {
            "title_de": "Neue Box",
            "title_en": "New box",
            "cost": 20,
            "fulfilment": "generated",
            "is_active": "on",
            "position": 0,
            "codes-TOTAL_FORMS": 0,
            "codes-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302
    change = ConfigChange.objects.get(object_id=str(reward.pk))
    assert change.changes["title_de"] == {"from": reward.title_de, "to": "Neue Box"}
    assert "image" not in change.changes
