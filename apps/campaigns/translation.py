"""Fields kept per language (a column per entry in LANGUAGES); reads use the active language
and fall back to German."""

from modeltranslation.translator import register

from apps.campaigns.models import Campaign, Option, Outcome, Question, ScoreBand
from apps.core.translated_fields import TranslatedFields


@register(Campaign)
class CampaignTranslation(TranslatedFields):
    fields = ("title", "intro")


@register(Outcome)
class OutcomeTranslation(TranslatedFields):
    fields = ("title", "text", "next_step_label")


@register(Question)
class QuestionTranslation(TranslatedFields):
    fields = ("text", "dimension", "explanation", "scale_label_low", "scale_label_high")


@register(Option)
class OptionTranslation(TranslatedFields):
    fields = ("label",)


@register(ScoreBand)
class ScoreBandTranslation(TranslatedFields):
    fields = ("title", "text", "next_step")
