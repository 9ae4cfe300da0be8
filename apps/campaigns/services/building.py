"""Saving and deleting a campaign and its parts. Every change to a question, answer or
outcome touches its campaign, so what processes keep of the campaign (`player_questions`,
other apps' caches following `CAMPAIGNS_VERSION`) is read again."""

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.campaigns.models import Campaign, Option, Outcome, Question
from apps.campaigns.services.media import campaign_set_hero_image
from apps.campaigns.services.touch import campaign_touch, campaigns_changed


@transaction.atomic
def campaign_save(*, campaign: Campaign, hero_image: UploadedFile | None = None) -> Campaign:
    """Create or change a campaign (staff, in the admin), with a new hero image if given."""
    campaign.full_clean(exclude=["purposes"])
    if (
        campaign.status == Campaign.Status.LIVE
        and campaign.starts_at
        and (campaign.starts_at > timezone.now())
    ):
        # A live campaign whose start was moved ahead waits for it, as if published today.
        campaign.status = Campaign.Status.SCHEDULED
    campaign.save()
    if hero_image:
        campaign_set_hero_image(campaign=campaign, upload=hero_image)
    campaigns_changed()
    return campaign


@transaction.atomic
def campaign_delete(*, campaign: Campaign) -> None:
    campaign.delete()
    campaigns_changed()


@transaction.atomic
def question_save(*, question: Question) -> Question:
    question.save()
    campaign_touch(campaign_id=question.campaign_id)
    return question


@transaction.atomic
def question_positions_release(*, question_ids: list[int]) -> None:
    """Move questions about to be renumbered out of the positions they hold, so that saving
    a new order one question at a time never meets the campaign's unique positions."""
    if question_ids:
        Question.objects.filter(pk__in=question_ids).update(position=F("position") + 10000)


@transaction.atomic
def question_delete(*, question: Question) -> None:
    campaign_id = question.campaign_id
    question.delete()
    campaign_touch(campaign_id=campaign_id)


@transaction.atomic
def outcome_save(*, outcome: Outcome) -> Outcome:
    outcome.save()
    campaign_touch(campaign_id=outcome.campaign_id)
    return outcome


@transaction.atomic
def outcome_delete(*, outcome: Outcome) -> None:
    campaign_id = outcome.campaign_id
    outcome.delete()
    campaign_touch(campaign_id=campaign_id)


def _campaign_of(option: Option) -> int:
    return Question.objects.filter(pk=option.question_id).values_list("campaign_id", flat=True)[0]


@transaction.atomic
def option_save(*, option: Option) -> Option:
    option.save()
    campaign_touch(campaign_id=_campaign_of(option))
    return option


@transaction.atomic
def option_delete(*, option: Option) -> None:
    campaign_id = _campaign_of(option)
    option.delete()
    campaign_touch(campaign_id=campaign_id)
