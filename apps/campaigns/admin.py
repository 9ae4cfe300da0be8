from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin
from modeltranslation.utils import get_translation_fields
from nested_admin.nested import NestedModelAdminMixin

from apps.campaigns.admin_embed import CampaignEmbedPanelMixin
from apps.campaigns.admin_figures import FIGURE_COLUMNS, CampaignListFiguresMixin
from apps.campaigns.admin_inlines import (
    OptionInline,
    OutcomeInline,
    QuestionInline,
    ScoreBandInline,
    outcome_names,
)
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
    question_positions_release,
    question_save,
    score_band_delete,
    score_band_save,
)
from apps.campaigns.test_play import preview_panel
from apps.core.admin_mixins import image_preview, inline_save_through_services
from apps.core.exceptions import ApplicationError
from apps.core.forms import ImageUploadField

_PART_SERVICES = {
    Question: (question_save, question_delete, "question"),
    Outcome: (outcome_save, outcome_delete, "outcome"),
    Option: (option_save, option_delete, "option"),
    ScoreBand: (score_band_save, score_band_delete, "band"),
}


def _save_parts(formset) -> None:
    """An inline's questions, outcomes, answers or bands, through the services that touch the
    campaign; answers also get their outcome and picture."""
    save, delete, name = _PART_SERVICES[formset.model]
    if formset.model is Question:
        save = _question_saver(formset)
    if formset.model is Option:
        _link_outcomes(formset)
    inline_save_through_services(formset, save=save, delete=delete, name=name)
    for inline_form in formset.forms:
        upload = inline_form.cleaned_data.get("image_upload")
        if not upload or not inline_form.instance.pk:
            continue
        if isinstance(inline_form.instance, Outcome):
            outcome_set_image(outcome=inline_form.instance, upload=upload)
        elif isinstance(inline_form.instance, Option):
            option_set_image(option=inline_form.instance, upload=upload)


def _question_saver(formset):
    """`question_save` that first frees the positions of the questions staff moved, once
    `formset.save()` has numbered them (`PositionedFormSet`)."""
    freed = False

    def save(*, question: Question) -> Question:
        nonlocal freed
        if not freed:
            question_positions_release(question_ids=getattr(formset, "moved_pks", []))
            freed = True
        return question_save(question=question)

    return save


def _link_outcomes(formset) -> None:
    """Each answer counts towards the outcome staff named by key or title, which may have
    been added on the same page a moment ago (outcomes are saved first)."""
    question = formset.instance
    if not question.pk:
        return
    names = {}
    for outcome in Outcome.objects.filter(campaign_id=question.campaign_id):
        names |= dict.fromkeys(outcome_names(outcome), outcome)
    for inline_form in formset.forms:
        ref = (getattr(inline_form, "cleaned_data", {}).get("outcome_ref") or "").strip()
        inline_form.instance.outcome = names.get(ref.casefold()) if ref else None


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
            "points_members_only",
            "repeat_after_days",
            "purposes",
            "theme_brand",
            "theme_background",
        ]
        help_texts = {
            "starts_at": _(
                "Empty: playable as soon as it goes live. A date ahead: going live makes it "
                "scheduled, and customers can play it from this moment on."
            ),
            "ends_at": _("Empty: it runs until ended by hand. From this moment nobody can play."),
        }


@admin.register(Campaign)
class CampaignAdmin(
    CampaignListFiguresMixin, CampaignEmbedPanelMixin, NestedModelAdminMixin, TabbedTranslationAdmin
):
    """The one-page builder: the campaign, its questions with their answers, outcomes and
    score bands, saved together; going live and copying start here too."""

    form = CampaignForm
    list_display = ["title", "kind", *FIGURE_COLUMNS, "play_link"]
    list_filter = ["kind", "status"]
    search_fields = ["slug", *get_translation_fields("title")]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["purposes"]
    readonly_fields = ["current_status", "ready_to_publish", "current_hero"]
    # Each text has a tab per language; German is required, the others fall back to it.
    fieldsets = [
        (None, {"fields": ["slug", "kind", "current_status", "position"]}),
        (_("Go live"), {"fields": ["ready_to_publish"]}),
        (_("Texts"), {"fields": ["title", "intro"]}),
        (
            _("Schedule and play"),
            {
                "fields": [
                    ("starts_at", "ends_at"),
                    ("requires_sign_in", "points_members_only"),
                    ("repeat_after_days", "seconds_per_question"),
                    "auto_advance",
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

    @property
    def media(self) -> forms.Media:
        # After the scripts it works with, named here so the media merge keeps that order.
        return super().media + forms.Media(
            js=[
                "modeltranslation/js/tabbed_translation_fields.js",
                "nested_admin/dist/nested_admin.min.js",
                "js/builder-tabs.js",
            ]
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        request.builder_campaign_id = object_id
        return super().changeform_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("current hero image"))
    def current_hero(self, campaign: Campaign) -> str:
        return image_preview(campaign.hero_image, width=120, height=60)

    def render_change_form(self, request: HttpRequest, context: dict, *args, obj=None, **kwargs):
        # The phone-sized preview beside the form (templates/admin/campaigns/campaign/).
        context["preview"] = preview_panel(campaign=obj, language=request.LANGUAGE_CODE)
        # Below it, the snippets for the brand's own site (apps/campaigns/admin_embed.py).
        context["embed_panel"] = self.embed_panel_for(obj)
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    @admin.display(description=_("status"))
    def current_status(self, campaign: Campaign) -> str:
        if not campaign.pk:
            return Campaign.Status.DRAFT.label
        status = campaign.status_now
        if status == Campaign.Status.SCHEDULED and campaign.starts_at:
            return gettext("%(status)s: starts on %(date)s") % {
                "status": status.label,
                "date": formats.date_format(campaign.starts_at, "DATETIME_FORMAT"),
            }
        return status.label

    def save_model(self, request: HttpRequest, obj: Campaign, form, change: bool) -> None:
        campaign_save(campaign=obj, hero_image=form.cleaned_data.get("hero_upload"))

    def delete_model(self, request: HttpRequest, obj: Campaign) -> None:
        campaign_delete(campaign=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        for campaign in queryset:
            campaign_delete(campaign=campaign)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        form.save_m2m()
        # Outcomes first: an answer may count towards an outcome added on the same page.
        for formset in sorted(formsets, key=lambda formset: formset.model is not Outcome):
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        _save_parts(formset)

    def response_add(self, request: HttpRequest, obj: Campaign, post_url_continue=None):
        if "_publish" in request.POST:
            return self._publish_and_stay(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request: HttpRequest, obj: Campaign) -> HttpResponse:
        if "_publish" in request.POST:
            return self._publish_and_stay(request, obj)
        if "_duplicate" in request.POST:
            return self._duplicate_and_open(request, obj)
        return super().response_change(request, obj)

    # Saving returns to the campaign itself, never to a list of every campaign.
    def response_post_save_add(self, request: HttpRequest, obj: Campaign) -> HttpResponse:
        return HttpResponseRedirect(_change_url(obj))

    def response_post_save_change(self, request: HttpRequest, obj: Campaign) -> HttpResponse:
        return HttpResponseRedirect(_change_url(obj))

    @admin.display(description=_("play"))
    def play_link(self, campaign: Campaign) -> str:
        preview = reverse("campaigns:preview", args=[campaign.slug])
        return format_html('<a href="{}">{}</a>', preview, _("Preview"))

    @admin.display(description=_("ready to go live?"))
    def ready_to_publish(self, campaign: Campaign) -> str:
        """What is missing, as a list, and the buttons that save and then go live or copy."""
        publish = format_html(
            '<button type="submit" name="_publish" value="1" class="button">{}</button>',
            _("Save and go live"),
        )
        if not campaign.pk:
            return format_html('<p class="help">{}</p>{}', _("Not checked yet."), publish)
        duplicate = format_html(
            '<button type="submit" name="_duplicate" value="1" class="button">{}</button>',
            _("Duplicate"),
        )
        problems = campaign_publish_problems(campaign=campaign)
        if not problems:
            check = format_html('<p id="publish-check">{}</p>', _("Yes, nothing is missing."))
        else:
            check = format_html(
                '<p>{}</p><ul id="publish-check" class="errorlist">{}</ul>',
                _("Missing before it can go live:"),
                format_html_join("", "<li>{}</li>", ((problem,) for problem in problems)),
            )
        return format_html('{}<p class="submit-row">{} {}</p>', check, publish, duplicate)

    def _publish_and_stay(self, request: HttpRequest, campaign: Campaign) -> HttpResponse:
        self._publish_one(request, campaign)
        return HttpResponseRedirect(_change_url(campaign))

    def _duplicate_and_open(self, request: HttpRequest, campaign: Campaign) -> HttpResponse:
        copy = campaign_duplicate(campaign=campaign)
        self.message_user(
            request,
            gettext("“%(copy)s” was created as a draft copy of “%(campaign)s”.")
            % {"copy": copy, "campaign": campaign},
        )
        return HttpResponseRedirect(_change_url(copy))

    def _publish_one(self, request: HttpRequest, campaign: Campaign) -> None:
        try:
            campaign_publish(campaign=campaign)
        except ApplicationError as problem:
            problems = problem.extra.get("problems") or [problem.message]
            self.message_user(
                request,
                format_html(
                    "{}<ul>{}</ul>",
                    gettext("“%(campaign)s” cannot go live yet:") % {"campaign": campaign},
                    format_html_join("", "<li>{}</li>", ((p,) for p in problems)),
                ),
                messages.ERROR,
            )
        else:
            if campaign.status == Campaign.Status.SCHEDULED:
                message = gettext("“%(campaign)s” is scheduled: it starts on %(date)s.") % {
                    "campaign": campaign,
                    "date": formats.date_format(campaign.starts_at, "DATETIME_FORMAT"),
                }
            else:
                message = gettext("“%(campaign)s” is live.") % {"campaign": campaign}
            self.message_user(request, message)

    @admin.action(description=_("Go live"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        for campaign in queryset:
            self._publish_one(request, campaign)

    @admin.action(description=_("End now"))
    def end(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        for campaign in queryset:
            campaign_end(campaign=campaign)
            self.message_user(
                request, gettext("“%(campaign)s” has ended.") % {"campaign": campaign}
            )

    @admin.action(description=_("Duplicate"))
    def duplicate(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> HttpResponse | None:
        campaigns = list(queryset)
        if len(campaigns) == 1:
            return self._duplicate_and_open(request, campaigns[0])
        for campaign in campaigns:
            copy = campaign_duplicate(campaign=campaign)
            self.message_user(
                request,
                gettext("“%(copy)s” was created as a draft copy of “%(campaign)s”.")
                % {"copy": copy, "campaign": campaign},
            )
        return None


def _change_url(campaign: Campaign) -> str:
    return reverse("admin:campaigns_campaign_change", args=[campaign.pk])


@admin.register(Question)
class QuestionAdmin(NestedModelAdminMixin, TabbedTranslationAdmin):
    """One question alone; the builder on the campaign's page is where staff usually work."""

    list_display = ["__str__", "campaign", "position"]
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

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        request.builder_campaign_id = (
            Question.objects.filter(pk=object_id).values_list("campaign_id", flat=True).first()
            if object_id
            else None
        )
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Question, form, change: bool) -> None:
        question_save(question=obj)

    def delete_model(self, request: HttpRequest, obj: Question) -> None:
        question_delete(question=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        for question in queryset:
            question_delete(question=question)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        _save_parts(formset)

    # Back to the campaign the question belongs to, where the builder is.
    def response_post_save_add(self, request: HttpRequest, obj: Question) -> HttpResponse:
        return HttpResponseRedirect(_change_url(obj.campaign))

    def response_post_save_change(self, request: HttpRequest, obj: Question) -> HttpResponse:
        return HttpResponseRedirect(_change_url(obj.campaign))
