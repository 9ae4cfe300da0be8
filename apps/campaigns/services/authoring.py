"""Building campaigns: what keeps one from going live, publishing, copying, the schedule."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from apps.campaigns.events import CampaignEnded, CampaignPublished, CampaignStarted
from apps.campaigns.models import Campaign
from apps.campaigns.services.media import image_copy
from apps.campaigns.services.publish_checks import campaign_publish_problems
from apps.campaigns.services.touch import campaigns_changed
from apps.core.events import publish
from apps.core.exceptions import ApplicationError


@transaction.atomic
def campaign_publish(*, campaign: Campaign) -> Campaign:
    problems = campaign_publish_problems(campaign=campaign)
    if problems:
        raise ApplicationError(" ".join(problems), extra={"problems": problems})
    if campaign.ends_at and campaign.ends_at <= timezone.now():
        raise ApplicationError(_("The campaign's end lies in the past; move it first."))
    starts_later = campaign.starts_at is not None and campaign.starts_at > timezone.now()
    campaign.status = Campaign.Status.SCHEDULED if starts_later else Campaign.Status.LIVE
    if not starts_later:
        campaign.published_at = timezone.now()
    campaign.save(update_fields=["status", "published_at", "updated_at"])
    campaigns_changed()
    publish(CampaignPublished(campaign=campaign.slug, status=campaign.status))
    return campaign


@transaction.atomic
def campaign_duplicate(*, campaign: Campaign) -> Campaign:
    """A draft copy with everything staff built: questions, answers (with their branches),
    outcomes, score bands, purposes and copies of every picture, ready to change. Plays,
    tallies and views stay with the original."""
    source = Campaign.objects.prefetch_related(
        "questions__options", "outcomes", "purposes", "score_bands"
    ).get(pk=campaign.pk)
    copy = Campaign.objects.get(pk=campaign.pk)
    copy.pk = None
    copy.status = Campaign.Status.DRAFT
    copy.published_at = None
    copy.slug = _free_slug(f"{source.slug}-copy")
    for code in _language_codes():
        column = build_localized_fieldname("title", code)
        with translation.override(code):
            # The copy is told apart from its original wherever staff see titles.
            title = _("%(title)s (copy)") % {"title": getattr(source, column) or source.title}
        setattr(copy, column, title[: Campaign._meta.get_field(column).max_length])
    image_copy(copy, "hero_image")
    copy.save()
    copy.purposes.set(source.purposes.all())
    outcomes = {}
    for outcome in source.outcomes.all():
        old_pk = outcome.pk
        outcome.pk, outcome.campaign = None, copy
        image_copy(outcome, "image")
        outcome.save()
        outcomes[old_pk] = outcome
    for band in source.score_bands.all():
        band.pk, band.campaign = None, copy
        band.save()
    questions, options = {}, []
    for question in source.questions.all():
        old_pk = question.pk
        question_options = list(question.options.all())
        question.pk, question.campaign = None, copy
        question.save()
        questions[old_pk] = question
        for option in question_options:
            option.pk, option.question = None, question
            option.outcome = outcomes.get(option.outcome_id)
            image_copy(option, "image")
            options.append(option)
    for option in options:
        # Branches lead to the copy's own later question, never back into the original.
        option.skip_to = questions.get(option.skip_to_id)
        option.save()
    campaigns_changed()
    return copy


def _language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _free_slug(base: str) -> str:
    slug, n = base[:80], 2
    while Campaign.objects.filter(slug=slug).exists():
        slug = f"{base[:75]}-{n}"
        n += 1
    return slug


def campaigns_follow_schedule(*, now=None) -> int:
    """Start scheduled campaigns whose start has come and end live ones whose end has passed;
    returns how many changed. Run every minute by beat."""
    now = now or timezone.now()
    changed = 0
    with transaction.atomic():
        due = Campaign.objects.select_for_update(skip_locked=True).filter(
            status=Campaign.Status.SCHEDULED, starts_at__lte=now
        )
        for campaign in due:
            ended = campaign.ends_at is not None and campaign.ends_at <= now
            campaign.status = Campaign.Status.ENDED if ended else Campaign.Status.LIVE
            if not ended:
                campaign.published_at = campaign.starts_at
            campaign.save(update_fields=["status", "published_at", "updated_at"])
            publish((CampaignEnded if ended else CampaignStarted)(campaign=campaign.slug))
            changed += 1
        expired = Campaign.objects.select_for_update(skip_locked=True).filter(
            status=Campaign.Status.LIVE, ends_at__lte=now
        )
        for campaign in expired:
            campaign.status = Campaign.Status.ENDED
            campaign.save(update_fields=["status", "updated_at"])
            publish(CampaignEnded(campaign=campaign.slug))
            changed += 1
        if changed:
            campaigns_changed()
    return changed


@transaction.atomic
def campaign_end(*, campaign: Campaign) -> Campaign:
    campaign.status = Campaign.Status.ENDED
    campaign.save(update_fields=["status", "updated_at"])
    campaigns_changed()
    publish(CampaignEnded(campaign=campaign.slug))
    return campaign
