"""Building campaigns: what keeps one from going live, publishing, copying, the schedule."""

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from modeltranslation.utils import get_translation_fields

from apps.campaigns.assessments import score_band_gaps
from apps.campaigns.events import CampaignEnded, CampaignPublished, CampaignStarted
from apps.campaigns.models import (
    Campaign,
    Question,
)
from apps.campaigns.services.touch import campaigns_changed
from apps.core.events import publish
from apps.core.exceptions import ApplicationError
from apps.preferences.models import Attribute


def campaign_publish_problems(*, campaign: Campaign) -> list[str]:
    """Everything that keeps a campaign from going live, in words staff can act on."""
    problems = []
    questions = list(
        campaign.questions.prefetch_related(
            "options__attribute__values", "options__outcome", "options__skip_to"
        )
    )
    purpose_ids = set(campaign.purposes.values_list("pk", flat=True))
    if not questions:
        problems.append(_("The campaign has no questions."))
    for column in get_translation_fields("title"):
        if not getattr(campaign, column).strip():
            problems.append(_("The title is missing in one language."))
    for question in questions:
        options = list(question.options.all())
        name = _("Question %(number)s") % {"number": question.position}
        if question.kind in (
            Question.Kind.SCALE,
            Question.Kind.MOOD,
            Question.Kind.NUMBER,
            Question.Kind.TEXT,
        ):
            problems.extend(_scale_problems(question, name, purpose_ids))
            continue
        if _missing_a_language(question, "text"):
            problems.append(
                _("%(question)s needs its text in German and English.") % {"question": name}
            )
        if not options:
            problems.append(_("%(question)s has no answers.") % {"question": name})
        if question.kind == Question.Kind.IMAGE and any(not o.image for o in options):
            problems.append(_("%(question)s needs an image for every answer.") % {"question": name})
        for option in options:
            if option.skip_to_id and (
                option.skip_to.campaign_id != campaign.pk
                or option.skip_to.position <= question.position
            ):
                problems.append(
                    _("An answer of %(question)s branches to a question that does not come later.")
                    % {"question": name}
                )
            if option.outcome_id and option.outcome.campaign_id != campaign.pk:
                problems.append(
                    _("An answer of %(question)s counts towards another campaign's outcome.")
                    % {"question": name}
                )
            if _missing_a_language(option, "label"):
                problems.append(
                    _("An answer of %(question)s needs its text in German and English.")
                    % {"question": name}
                )
            if option.attribute_id is None:
                continue
            if option.attribute.purpose_id not in purpose_ids:
                problems.append(
                    _(
                        "%(question)s tells us “%(attribute)s”, but the campaign does not ask for its purpose."
                    )
                    % {"question": name, "attribute": option.attribute.key}
                )
            allowed = {value.key for value in option.attribute.values.all()}
            if option.attribute_value not in allowed:
                problems.append(
                    _("%(question)s sets “%(attribute)s” to a value it does not allow.")
                    % {"question": name, "attribute": option.attribute.key}
                )
    # A quiz may ask for an opinion in between (no answer marked correct), but must score.
    if (
        campaign.kind == Campaign.Kind.TRIVIA
        and questions
        and not any(question.right_options for question in questions)
    ):
        problems.append(_("The quiz has no question with a correct answer."))
    problems.extend(score_band_gaps(campaign=campaign))
    return list(dict.fromkeys(problems))


def _missing_a_language(row: Model, field: str) -> bool:
    """Whether a text is empty in any of the site's languages (a campaign goes live in all)."""
    return any(not getattr(row, column).strip() for column in get_translation_fields(field))


def _scale_problems(question: Question, name: str, purpose_ids: set[int]) -> list[str]:
    problems = []
    if question.kind != Question.Kind.TEXT and question.scale_min >= question.scale_max:
        problems.append(_("%(question)s needs a scale that goes up.") % {"question": name})
    attribute = question.attribute
    if attribute is not None:
        if attribute.purpose_id not in purpose_ids:
            problems.append(
                _(
                    "%(question)s tells us “%(attribute)s”, but the campaign does not ask for its purpose."
                )
                % {"question": name, "attribute": attribute.key}
            )
        if question.kind == Question.Kind.TEXT:
            fits = attribute.kind == Attribute.Kind.TEXT and (
                question.max_length <= attribute.max_length
            )
        else:
            fits = attribute.kind in (Attribute.Kind.SCALE, Attribute.Kind.NUMBER) and (
                attribute.min_value <= question.scale_min
                and question.scale_max <= attribute.max_value
            )
        if not fits:
            problems.append(
                _("%(question)s sets “%(attribute)s” to a value it does not allow.")
                % {"question": name, "attribute": attribute.key}
            )
    return problems


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
    """A draft copy with the same questions, answers and outcomes, ready to change."""
    source = Campaign.objects.prefetch_related(
        "questions__options", "outcomes", "purposes", "score_bands"
    ).get(pk=campaign.pk)
    copy = Campaign.objects.get(pk=campaign.pk)
    copy.pk = None
    copy.status = Campaign.Status.DRAFT
    copy.slug = _free_slug(f"{source.slug}-copy")
    copy.save()
    copy.purposes.set(source.purposes.all())
    outcomes = {}
    for outcome in source.outcomes.all():
        old_pk = outcome.pk
        outcome.pk, outcome.campaign = None, copy
        outcome.save()
        outcomes[old_pk] = outcome
    for band in source.score_bands.all():
        band.pk, band.campaign = None, copy
        band.save()
    for question in source.questions.all():
        options = list(question.options.all())
        question.pk, question.campaign = None, copy
        question.save()
        for option in options:
            option.pk, option.question = None, question
            option.outcome = outcomes.get(option.outcome_id)
            option.save()
    campaigns_changed()
    return copy


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
