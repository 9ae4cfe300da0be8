import json

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.html import format_html, json_script
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin
from modeltranslation.utils import get_translation_fields

from apps.audit.admin_mixins import AccessLoggedAdminMixin, ConfigAuditedAdminMixin
from apps.audit.services import access_log_record
from apps.core.admin_mixins import ReadOnlyAdminMixin, inline_save_through_services
from apps.personalization.leads import leads_for_topic
from apps.personalization.models import CareFlag, ChurnScore, Offer, OfferMatch, Segment
from apps.personalization.rule_vocabulary import rule_vocabulary
from apps.personalization.rules import RuleError, rule_compile
from apps.personalization.selectors import rule_preview
from apps.personalization.services import (
    offer_delete,
    offer_match_delete,
    offer_match_save,
    offer_save,
    segment_delete,
    segment_save,
)
from apps.preferences.models import Attribute
from apps.profiles.models import Profile

MAX_RULE_CHARACTERS = 20_000
SMALL_GROUP = 5


class RuleField(forms.JSONField):
    """JSON as typed in the admin, refusing what would only fail later: too long or too deep."""

    def to_python(self, value):
        if isinstance(value, str) and len(value) > MAX_RULE_CHARACTERS:
            raise forms.ValidationError(_("The rule is too long."))
        try:
            return super().to_python(value)
        except RecursionError as error:
            raise forms.ValidationError(_("The rule nests too deeply.")) from error


class RuleBuilderWidget(forms.Textarea):
    """The rule's JSON textarea plus what the rule builder script may offer; the script turns
    it into groups and condition rows. Without the script the textarea works as it is."""

    class Media:
        css = {"all": ["css/segment-rule-builder.css"]}
        js = ["js/segment-rule-builder.js"]

    def render(self, name, value, attrs=None, renderer=None) -> str:
        textarea = super().render(name, value, attrs, renderer)
        vocabulary_id = f"{(attrs or {}).get('id') or name}-vocabulary"
        return format_html(
            '<div class="rule-builder" data-rule-builder="{}">{}{}</div>',
            vocabulary_id,
            json_script(rule_vocabulary(), vocabulary_id),
            textarea,
        )


class SegmentForm(forms.ModelForm):
    rule = RuleField(label=_("rule"), widget=RuleBuilderWidget)

    class Meta:
        model = Segment
        fields = ["key", "name", "description", "rule", "materialize"]
        help_texts = {
            "rule": _(
                'e.g. {"all": [{"attribute": "diet", "op": "eq", "value": "vegan"}, '
                '{"tier": "silver"}]}; see the conditions below.'
            )
        }

    def clean(self) -> dict:
        cleaned = super().clean()
        if "rule" in cleaned:
            try:
                rule_compile(cleaned["rule"], segment_key=cleaned.get("key"))
            except RuleError as error:
                self.add_error("rule", error.message)
        return cleaned


@admin.register(Segment)
class SegmentAdmin(ConfigAuditedAdminMixin, admin.ModelAdmin):
    form = SegmentForm
    change_form_template = "admin/personalization/segment/change_form.html"
    list_display = ["name", "key", "materialize", "materialized_at", "materialize_ms", "updated_at"]
    search_fields = ["name", "key"]
    readonly_fields = ["live_count", "materialized_at", "materialize_ms"]
    fields = [
        "key",
        "name",
        "description",
        "rule",
        "live_count",
        "materialize",
        "materialized_at",
        "materialize_ms",
    ]

    def save_model(self, request: HttpRequest, obj: Segment, form, change: bool) -> None:
        segment_save(segment=obj)

    def delete_model(self, request: HttpRequest, obj: Segment) -> None:
        segment_delete(segment=obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for segment in queryset:
            segment_delete(segment=segment)

    @admin.display(description=_("who is in it now"))
    def live_count(self, segment: Segment) -> str:
        url = reverse("admin:personalization_segment_preview")
        return format_html(
            '<div id="segment-preview" hx-get="{}" hx-include="#id_rule" '
            # The rule builder announces its edits with `rule-builder-change`.
            'hx-trigger="load, keyup changed delay:600ms from:#id_rule, '
            'rule-builder-change delay:600ms from:#id_rule" aria-live="polite">{}</div>',
            url,
            _("Counting…"),
        )

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        leads = self.admin_site.admin_view(self.leads_view)
        return [
            path("preview/", preview, name="personalization_segment_preview"),
            path("leads/", leads, name="personalization_leads"),
            *super().get_urls(),
        ]

    def leads_view(self, request: HttpRequest) -> HttpResponse:
        """Leads per topic, most relevant first, as pseudonymous ids; each read is logged."""
        # Per-person data: only for staff who may look at segments, not every staff login.
        if not self.has_view_permission(request):
            raise PermissionDenied
        topic = request.GET.get("topic", "")
        topics = Attribute.Topic.choices
        leads = leads_for_topic(topic=topic) if topic in dict(topics) else []
        if leads:
            access_log_record(
                profiles=[Profile(pk=lead.profile_id) for lead in leads],
                data_category="lead relevance",
                staff_user=request.user,
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Leads by topic"),
            "topics": topics,
            "topic": topic,
            "leads": leads,
        }
        return render(request, "admin/personalization/leads.html", context)

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """The live count while a rule is edited (HTMX, debounced): a count and ten
        pseudonymous ids, each id's read logged."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        raw = request.GET.get("rule", "")[: MAX_RULE_CHARACTERS + 1]
        context = {}
        try:
            if len(raw) > MAX_RULE_CHARACTERS:
                raise RuleError(str(_("The rule is too long.")))
            count, sample = rule_preview(rule=json.loads(raw or "null"))
        except (json.JSONDecodeError, RecursionError):
            context["error"] = _("The rule is not valid JSON yet.")
        except RuleError as error:
            context["error"] = error.message
        else:
            # Small groups are not shown: below five, neither the number nor anyone's id.
            if count < SMALL_GROUP:
                count, sample = None, []
            context.update(count=count, sample=sample)
            access_log_record(
                profiles=Profile.objects.filter(public_id__in=sample),
                data_category="segment membership",
                staff_user=request.user,
            )
        return render(request, "admin/personalization/segment/preview.html", context)


class OfferMatchInline(admin.TabularInline):
    model = OfferMatch
    extra = 1
    fields = ["attribute", "value", "weight"]


@admin.register(Offer)
class OfferAdmin(ConfigAuditedAdminMixin, TabbedTranslationAdmin):
    list_display = [
        "key",
        "title",
        "campaign",
        "segment",
        "priority",
        "is_active",
        "starts_at",
        "ends_at",
    ]
    list_filter = ["is_active", "segment"]
    search_fields = ["key", *get_translation_fields("title")]
    list_select_related = ["campaign", "segment"]
    inlines = [OfferMatchInline]
    fieldsets = [
        (None, {"fields": ["key", "is_active", "priority", "segment"]}),
        (
            _("Texts"),
            {"fields": ["title", "text", "link", "campaign"]},
        ),
        (_("Schedule"), {"fields": [("starts_at", "ends_at")]}),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Offer | None = None) -> list[str]:
        # Customers' "not interested" and partners refer to an offer by its key.
        return ["key"] if obj else []

    def save_model(self, request: HttpRequest, obj: Offer, form, change: bool) -> None:
        offer_save(offer=obj)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        inline_save_through_services(
            formset, save=offer_match_save, delete=offer_match_delete, name="match"
        )

    def delete_model(self, request: HttpRequest, obj: Offer) -> None:
        offer_delete(offer=obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for offer in queryset:
            offer_delete(offer=offer)


@admin.register(ChurnScore)
class ChurnScoreAdmin(AccessLoggedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    access_log_data_category = "churn risk"
    list_display = ["profile", "score", "band", "drivers", "computed_at"]
    list_filter = ["band"]
    list_select_related = ["profile"]
    ordering = ["-score"]

    @admin.display(description=_("what drives it"))
    def drivers(self, churn: ChurnScore) -> str:
        return ", ".join(f"{item['feature']} +{item['points']}" for item in churn.contributions)


@admin.register(CareFlag)
class CareFlagAdmin(admin.ModelAdmin):
    """Customers who must not receive promotions for now; ranking offers checks this."""

    list_display = ["profile", "reason", "set_by", "created_at"]
    raw_id_fields = ["profile"]
    fields = ["profile", "reason"]

    def save_model(self, request: HttpRequest, obj: CareFlag, form, change: bool) -> None:
        obj.set_by = request.user
        super().save_model(request, obj, form, change)
