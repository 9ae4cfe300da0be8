from adminsortable2.admin import SortableAdminBase, SortableInlineAdminMixin
from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TabbedTranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from modeltranslation.utils import get_translation_fields

from apps.campaigns.admin_figures import FIGURE_COLUMNS, CampaignListFiguresMixin
from apps.campaigns.assessments import campaign_dimensions, score_band_problems
from apps.campaigns.models import Campaign, Option, Outcome, Question, ScoreBand
from apps.campaigns.services import (
    campaign_delete,
    campaign_duplicate,
    campaign_end,
    campaign_publish,
    campaign_publish_problems,
    campaign_save,
    option_delete,
    option_save,
    option_set_image,
    outcome_delete,
    outcome_save,
    outcome_set_image,
    question_delete,
    question_save,
    score_band_delete,
    score_band_save,
)
from apps.campaigns.test_play import preview_panel
from apps.core.admin_mixins import image_preview, inline_save_through_services
from apps.core.exceptions import ApplicationError
from apps.core.forms import ImageUploadField
from apps.preferences.models import Attribute

_PART_SERVICES = {
    Question: (question_save, question_delete, "question"),
    Outcome: (outcome_save, outcome_delete, "outcome"),
    Option: (option_save, option_delete, "option"),
    ScoreBand: (score_band_save, score_band_delete, "band"),
}


def _save_parts(formset) -> None:
    """An inline's questions, outcomes or answers, through the services that touch the
    campaign."""
    save, delete, name = _PART_SERVICES[formset.model]
    inline_save_through_services(formset, save=save, delete=delete, name=name)


class QuestionInline(SortableInlineAdminMixin, TranslationTabularInline):
    model = Question
    ordering = ["position"]
    fields = ["position", "kind", "text", "edit_answers"]
    readonly_fields = ["edit_answers"]
    extra = 1

    @admin.display(description=_("answers"))
    def edit_answers(self, question: Question) -> str:
        if not question.pk:
            return "—"
        url = reverse("admin:campaigns_question_change", args=[question.pk])
        return format_html('<a href="{}">{}</a>', url, _("Edit answers…"))


class OutcomeForm(forms.ModelForm):
    image_upload = ImageUploadField(label=_("image"), required=False)

    class Meta:
        model = Outcome
        fields = [
            "key",
            "title",
            "text",
            "next_step_label",
            "next_step_url",
        ]


class OutcomeInline(TranslationStackedInline):
    model = Outcome
    form = OutcomeForm
    fields = [
        "key",
        "title",
        "text",
        "next_step_label",
        "next_step_url",
        "image_upload",
        "current_image",
    ]
    readonly_fields = ["current_image"]
    extra = 0

    @admin.display(description=_("current image"))
    def current_image(self, outcome: Outcome) -> str:
        return image_preview(outcome.image, width=120, height=120)


class ScoreBandForm(forms.ModelForm):
    class Meta:
        model = ScoreBand
        fields = ["dimension", "lower_bound", "title", "text", "next_step"]

    def clean(self) -> dict:
        cleaned = super().clean()
        band = self.instance
        band.dimension = cleaned.get("dimension", "")
        band.lower_bound = cleaned.get("lower_bound")
        for field, messages_ in score_band_problems(band=band).items():
            for message in messages_:
                self.add_error(field, message)
        return cleaned


class ScoreBandInline(TranslationStackedInline):
    """Self-assessments: levels per dimension with what they mean and what to do next."""

    model = ScoreBand
    form = ScoreBandForm
    fields = ["dimension", "lower_bound", "title", "text", "next_step"]
    ordering = ["dimension", "lower_bound"]
    extra = 0

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Staff pick one of the campaign's dimensions rather than retyping its name.
        campaign_id = request.resolver_match.kwargs.get("object_id")
        if db_field.name == "dimension" and campaign_id:
            campaign = Campaign.objects.filter(pk=campaign_id).first()
            names = sorted(campaign_dimensions(campaign=campaign)) if campaign else []
            if names:
                return forms.ChoiceField(
                    label=db_field.verbose_name,
                    choices=[("", _("Overall level")), *((name, name) for name in names)],
                    required=False,
                    help_text=_("Empty: the overall level, over the average of all dimensions."),
                )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class CampaignForm(forms.ModelForm):
    hero_upload = ImageUploadField(
        label=_("hero image"),
        required=False,
        help_text=_("Shown on the campaign's first page, cropped to 2:1."),
    )

    class Meta:
        model = Campaign
        fields = [
            "slug",
            "kind",
            "position",
            "title",
            "intro",
            "starts_at",
            "ends_at",
            "seconds_per_question",
            "auto_advance",
            "requires_sign_in",
            "repeat_after_days",
            "purposes",
            "theme_brand",
            "theme_background",
        ]


@admin.register(Campaign)
class CampaignAdmin(CampaignListFiguresMixin, SortableAdminBase, TabbedTranslationAdmin):
    form = CampaignForm
    list_display = ["title", "kind", *FIGURE_COLUMNS, "play_link"]
    list_filter = ["kind", "status"]
    search_fields = ["slug", *get_translation_fields("title")]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["purposes"]
    readonly_fields = ["status", "ready_to_publish", "current_hero"]
    # Each text has a tab per language; German is required, the others fall back to it.
    fieldsets = [
        (None, {"fields": ["slug", "kind", "status", "ready_to_publish", "position"]}),
        (_("Texts"), {"fields": ["title", "intro"]}),
        (
            _("Schedule and play"),
            {
                "fields": [
                    ("starts_at", "ends_at"),
                    ("requires_sign_in", "repeat_after_days"),
                    ("seconds_per_question", "auto_advance"),
                    "purposes",
                ]
            },
        ),
        (
            _("Theme"),
            {"fields": [("theme_brand", "theme_background"), "hero_upload", "current_hero"]},
        ),
    ]
    inlines = [QuestionInline, OutcomeInline, ScoreBandInline]
    actions = ["publish", "end", "duplicate"]

    @admin.display(description=_("current hero image"))
    def current_hero(self, campaign: Campaign) -> str:
        return image_preview(campaign.hero_image, width=120, height=60)

    def render_change_form(self, request: HttpRequest, context: dict, *args, obj=None, **kwargs):
        # The phone-sized preview beside the form (templates/admin/campaigns/campaign/).
        context["preview"] = preview_panel(campaign=obj, language=request.LANGUAGE_CODE)
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def save_model(self, request: HttpRequest, obj: Campaign, form, change: bool) -> None:
        campaign_save(campaign=obj, hero_image=form.cleaned_data.get("hero_upload"))

    def delete_model(self, request: HttpRequest, obj: Campaign) -> None:
        campaign_delete(campaign=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        for campaign in queryset:
            campaign_delete(campaign=campaign)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        _save_parts(formset)
        for inline_form in formset.forms:
            upload = inline_form.cleaned_data.get("image_upload")
            if upload and isinstance(inline_form.instance, Outcome) and inline_form.instance.pk:
                outcome_set_image(outcome=inline_form.instance, upload=upload)

    @admin.display(description=_("play"))
    def play_link(self, campaign: Campaign) -> str:
        preview = reverse("campaigns:preview", args=[campaign.slug])
        return format_html('<a href="{}">{}</a>', preview, _("Preview"))

    @admin.display(description=_("ready to go live?"))
    def ready_to_publish(self, campaign: Campaign) -> str:
        if not campaign.pk:
            return "—"
        problems = campaign_publish_problems(campaign=campaign)
        return " ".join(str(p) for p in problems) if problems else _("Yes")

    @admin.action(description=_("Go live"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        for campaign in queryset:
            try:
                campaign_publish(campaign=campaign)
            except ApplicationError as problem:
                self.message_user(request, f"{campaign}: {problem.message}", messages.ERROR)
            else:
                self.message_user(request, _("%(campaign)s is live.") % {"campaign": campaign})

    @admin.action(description=_("End now"))
    def end(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        for campaign in queryset:
            campaign_end(campaign=campaign)

    @admin.action(description=_("Duplicate as a draft"))
    def duplicate(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        for campaign in queryset:
            copy = campaign_duplicate(campaign=campaign)
            self.message_user(request, _("%(copy)s created.") % {"copy": copy})


class OptionForm(forms.ModelForm):
    image_upload = ImageUploadField(
        label=_("image"), required=False, help_text=_("For image-choice questions.")
    )

    class Meta:
        model = Option
        fields = [
            "position",
            "label",
            "is_correct",
            "outcome",
            "attribute",
            "attribute_value",
            "skip_to",
        ]


class OptionInline(SortableInlineAdminMixin, TranslationTabularInline):
    model = Option
    form = OptionForm
    fk_name = "question"
    ordering = ["position"]
    fields = [
        "position",
        "label",
        "is_correct",
        "outcome",
        "attribute",
        "attribute_value",
        "skip_to",
        "image_upload",
    ]
    autocomplete_fields = ["attribute"]
    extra = 2

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Outcomes and branch targets come from the edited question's own campaign only.
        question = self._edited_question(request)
        if db_field.name == "attribute":
            # What customers tell us elsewhere (such as "not interested") is not a quiz answer.
            kwargs["queryset"] = Attribute.objects.filter(is_asked=True)
        if question and db_field.name == "outcome":
            kwargs["queryset"] = Outcome.objects.filter(campaign_id=question.campaign_id)
        if question and db_field.name == "skip_to":
            kwargs["queryset"] = Question.objects.filter(
                campaign_id=question.campaign_id, position__gt=question.position
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @staticmethod
    def _edited_question(request: HttpRequest) -> Question | None:
        if not hasattr(request, "_edited_question"):
            object_id = request.resolver_match.kwargs.get("object_id")
            request._edited_question = (
                Question.objects.filter(pk=object_id).first() if object_id else None
            )
        return request._edited_question


@admin.register(Question)
class QuestionAdmin(SortableAdminBase, TabbedTranslationAdmin):
    list_display = ["__str__", "campaign", "position", "text"]
    list_filter = ["campaign"]
    list_select_related = ["campaign"]
    inlines = [OptionInline]
    fieldsets = [
        (None, {"fields": ["campaign", "position", "kind", "text"]}),
        (
            _("Scale, number or text answers"),
            {
                "fields": [
                    "scale_min",
                    "scale_max",
                    "scale_label_low",
                    "scale_label_high",
                    "max_length",
                    "dimension",
                    "attribute",
                ]
            },
        ),
        (_("Trivia feedback"), {"fields": ["explanation"]}),
    ]

    def save_model(self, request: HttpRequest, obj: Question, form, change: bool) -> None:
        question_save(question=obj)

    def delete_model(self, request: HttpRequest, obj: Question) -> None:
        question_delete(question=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        for question in queryset:
            question_delete(question=question)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        _save_parts(formset)
        for option_form in formset.forms:
            upload = option_form.cleaned_data.get("image_upload")
            if upload and option_form.instance.pk:
                option_set_image(option=option_form.instance, upload=upload)
