"""A change to a campaign's questions, answers or outcomes touches the campaign itself, so
what the player keeps of the campaign as it was (`player_questions`) is not used again."""

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from apps.campaigns.models import Campaign, Option, Outcome, Question


def _touch(campaign_ids) -> None:
    Campaign.objects.filter(pk__in=campaign_ids).update(updated_at=timezone.now())


def _question_changed(sender, instance, **kwargs) -> None:
    _touch([instance.campaign_id])


def _option_changed(sender, instance, **kwargs) -> None:
    _touch(Question.objects.filter(pk=instance.question_id).values("campaign_id"))


for model in (Question, Outcome):
    post_save.connect(_question_changed, sender=model, dispatch_uid=f"touch-campaign-{model}")
    post_delete.connect(_question_changed, sender=model, dispatch_uid=f"touch-campaign-{model}-del")
post_save.connect(_option_changed, sender=Option, dispatch_uid="touch-campaign-option")
post_delete.connect(_option_changed, sender=Option, dispatch_uid="touch-campaign-option-del")
