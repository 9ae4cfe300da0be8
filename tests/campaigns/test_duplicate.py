"""Duplicating a campaign copies everything staff built, and nothing customers did."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from apps.campaigns.models import Campaign, Option, OptionTally, ScoreBand
from apps.campaigns.services import (
    campaign_duplicate,
    campaign_publish_problems,
    campaign_save,
    campaign_set_hero_image,
    option_set_image,
    outcome_set_image,
)
from tests.campaigns.factories import (
    CampaignFactory,
    OptionFactory,
    OutcomeFactory,
    QuestionFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "media_in_tmp")]


def _png() -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (40, 40), "#c2410c").save(buffer, "PNG")
    return SimpleUploadedFile("picture.png", buffer.getvalue(), "image/png")


@pytest.fixture
def personality(purpose):
    campaign = CampaignFactory(
        slug="snack-typ", kind=Campaign.Kind.PERSONALITY, title_de="Snacktyp", title_en="Snacks"
    )
    campaign.purposes.add(purpose)
    campaign_set_hero_image(campaign=campaign, upload=_png())
    sweet = outcome_set_image(outcome=OutcomeFactory(campaign=campaign, key="sweet"), upload=_png())
    salty = OutcomeFactory(campaign=campaign, key="salty")
    ScoreBand.objects.create(
        campaign=campaign, lower_bound=Decimal(1), title_de="Anfang", title_en="Start"
    )
    first = QuestionFactory(campaign=campaign, position=1, kind="image")
    second = QuestionFactory(campaign=campaign, position=2)
    third = QuestionFactory(campaign=campaign, position=3)
    option_set_image(
        option=OptionFactory(question=first, outcome=sweet, skip_to=third), upload=_png()
    )
    option_set_image(option=OptionFactory(question=first, outcome=salty), upload=_png())
    for question in (second, third):
        OptionFactory(question=question, outcome=sweet)
        OptionFactory(question=question, outcome=salty)
    OptionTally.objects.create(option=first.options.first(), count=7)
    campaign.refresh_from_db()
    return campaign


def test_campaign_duplicate_copies_questions_answers_outcomes_bands_and_purposes(personality):
    copy = campaign_duplicate(campaign=personality)

    assert (copy.slug, copy.status, copy.published_at) == ("snack-typ-copy", "draft", None)
    assert (copy.title_de, copy.title_en) == ("Snacktyp (Kopie)", "Snacks (copy)")
    assert list(copy.purposes.all()) == list(personality.purposes.all())
    assert copy.questions.count() == 3
    assert Option.objects.filter(question__campaign=copy).count() == 6
    assert sorted(copy.outcomes.values_list("key", flat=True)) == ["salty", "sweet"]
    assert copy.score_bands.get().title_de == "Anfang"
    # Every answer counts towards the copy's own outcome, never the original's.
    assert not Option.objects.filter(question__campaign=copy, outcome__campaign=personality)
    assert campaign_publish_problems(campaign=copy) == []


def test_campaign_duplicate_branches_within_the_copy(personality):
    copy = campaign_duplicate(campaign=personality)

    branching = Option.objects.get(question__campaign=copy, skip_to__isnull=False)
    assert branching.skip_to.campaign_id == copy.pk
    assert branching.skip_to.position == 3


def test_campaign_duplicate_gives_the_copy_its_own_pictures(personality):
    copy = campaign_duplicate(campaign=personality)

    pictures = [
        (personality.hero_image, copy.hero_image),
        (personality.outcomes.get(key="sweet").image, copy.outcomes.get(key="sweet").image),
    ]
    originals = Option.objects.filter(question__campaign=personality, question__position=1)
    copies = Option.objects.filter(question__campaign=copy, question__position=1)
    pictures += list(
        zip(originals.order_by("position", "pk"), copies.order_by("position", "pk"), strict=True)
    )
    for original, copied in pictures:
        original = getattr(original, "image", original)
        copied = getattr(copied, "image", copied)
        assert copied.name
        assert copied.name != original.name
        assert copied.read() == original.read()


def test_campaign_duplicate_leaves_the_plays_counts_with_the_original(personality):
    copy = campaign_duplicate(campaign=personality)

    assert not OptionTally.objects.filter(option__question__campaign=copy).exists()


def test_campaign_save_keeps_a_live_campaign_moved_ahead_scheduled():
    campaign = CampaignFactory(status=Campaign.Status.LIVE)
    campaign.starts_at = timezone.now() + timedelta(days=3)

    campaign_save(campaign=campaign)

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SCHEDULED
    assert campaign.status_now == Campaign.Status.SCHEDULED


def test_status_now_reads_a_live_campaign_before_its_start_as_scheduled():
    campaign = CampaignFactory.build(
        status=Campaign.Status.LIVE, starts_at=timezone.now() + timedelta(hours=1)
    )

    assert campaign.status_now == Campaign.Status.SCHEDULED
    assert campaign.status_now.label == "Scheduled"
