from django import forms
from django.contrib import admin, messages
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation import settings as mt_settings
from modeltranslation.admin import TabbedTranslationAdmin
from modeltranslation.utils import build_localized_fieldname, get_translation_fields

from apps.audit.admin_mixins import AccessLoggedAdminMixin, ConfigAuditedAdminMixin
from apps.audit.models import ConfigChange
from apps.audit.services import config_change_record, config_snapshot
from apps.consent.collection_points import collection_point_label, collection_points_name
from apps.consent.models import ConsentEvent, ConsentState, Purpose, PurposeVersion
from apps.consent.services import (
    purpose_delete,
    purpose_save,
    purpose_version_create_draft,
    purpose_version_publish,
    purpose_version_save_draft,
)
from apps.core.admin_mixins import ReadOnlyAdminMixin
from apps.core.exceptions import ApplicationError
from apps.profiles.models import counted_profiles


def _event_count(action: str) -> Subquery:
    counts = (
        ConsentEvent.objects.filter(counted_profiles(), purpose=OuterRef("pk"), action=action)
        .order_by()
        .values("purpose")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(counts, output_field=IntegerField())


def _state_count(status: str) -> Subquery:
    counts = (
        ConsentState.objects.filter(counted_profiles(), purpose=OuterRef("pk"), status=status)
        .order_by()
        .values("purpose")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(counts, output_field=IntegerField())


class PurposeVersionInline(admin.TabularInline):
    model = PurposeVersion
    fields = ["version_link", "title", "is_material", "published_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Purpose | None = None) -> bool:
        return False

    @admin.display(description=_("version"))
    def version_link(self, version: PurposeVersion) -> str:
        url = reverse("admin:consent_purposeversion_change", args=[version.pk])
        return format_html('<a href="{}">v{}</a>', url, version.version)


@admin.register(Purpose)
class PurposeAdmin(ConfigAuditedAdminMixin, admin.ModelAdmin):
    list_display = [
        "purpose_shown",
        "lawful_basis",
        "is_sale_or_share",
        "requires_double_opt_in",
        "allows_special_category",
        "current_version",
        "granted_now",
        "refused_now",
        "withdrawn_now",
        "grants",
    ]
    list_filter = ["lawful_basis", "is_sale_or_share", "requires_double_opt_in"]
    search_fields = ["key"]
    readonly_fields = ["current_version", "material_version_number", "created_at", "updated_at"]
    inlines = [PurposeVersionInline]
    actions = ["create_draft"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Purpose]:
        # Current answers, not events: a refusal and a withdrawal are apart there for every
        # customer, including those who said no before the two had words of their own.
        return (
            super()
            .get_queryset(request)
            .select_related("current_version")
            .annotate(
                granted_count=_state_count(ConsentState.Status.GRANTED),
                refused_count=_state_count(ConsentState.Status.REFUSED),
                withdrawn_count=_state_count(ConsentState.Status.WITHDRAWN),
                grant_count=_event_count(ConsentEvent.Action.GRANT),
            )
        )

    @admin.display(description=_("purpose"), ordering="key")
    def purpose_shown(self, purpose: Purpose) -> str:
        # By its title, as customers read it; the key (used in rules and the API) on hover.
        return format_html('<span title="{}">{}</span>', purpose.key, purpose)

    @admin.display(description=_("granted now"), ordering="granted_count")
    def granted_now(self, purpose: Purpose) -> int:
        return purpose.granted_count or 0

    @admin.display(description=_("refused now"), ordering="refused_count")
    def refused_now(self, purpose: Purpose) -> int:
        return purpose.refused_count or 0

    @admin.display(description=_("withdrawn now"), ordering="withdrawn_count")
    def withdrawn_now(self, purpose: Purpose) -> int:
        return purpose.withdrawn_count or 0

    @admin.display(description=_("grants"), ordering="grant_count")
    def grants(self, purpose: Purpose) -> int:
        return purpose.grant_count or 0

    def save_model(self, request: HttpRequest, obj: Purpose, form, change: bool) -> None:
        purpose_save(purpose=obj)

    def delete_model(self, request: HttpRequest, obj: Purpose) -> None:
        purpose_delete(purpose=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Purpose]) -> None:
        for purpose in queryset:
            purpose_delete(purpose=purpose)

    @admin.action(description=_("Create a new draft version"))
    def create_draft(self, request: HttpRequest, queryset: QuerySet[Purpose]) -> None:
        for purpose in queryset:
            draft = purpose_version_create_draft(purpose=purpose)
            self.message_user(request, _("Draft %(draft)s is ready to edit.") % {"draft": draft})


class PurposeVersionForm(forms.ModelForm):
    class Meta:
        model = PurposeVersion
        fields = [
            "purpose",
            "is_material",
            "title",
            "summary",
            "text",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Consent wording is evidence: each language a customer may read it in is written out,
        # never left to fall back to German.
        for field in ("title", "summary", "text"):
            for column in get_translation_fields(field):
                if column in self.fields:
                    self.fields[column].required = True


@admin.register(PurposeVersion)
class PurposeVersionAdmin(ConfigAuditedAdminMixin, TabbedTranslationAdmin):
    form = PurposeVersionForm
    list_display = ["purpose", "version", "title", "is_material", "status", "published_at"]
    list_filter = ["purpose", ("published_at", admin.EmptyFieldListFilter), "is_material"]
    list_select_related = ["purpose__current_version"]
    search_fields = ["purpose__key", *get_translation_fields("title")]
    autocomplete_fields = ["purpose"]
    # Named, since the translation tabs would otherwise show only the form's model fields.
    fields = [
        *PurposeVersionForm.Meta.fields,
        "version",
        "published_at",
        "created_at",
        "publish_link",
    ]

    @admin.display(description=_("status"))
    def status(self, version: PurposeVersion) -> str:
        return _("published") if version.is_published else _("draft")

    @admin.display(description=_("publish"))
    def publish_link(self, version: PurposeVersion) -> str:
        if not version.pk or version.is_published:
            return "—"
        url = reverse("admin:consent_purposeversion_publish", args=[version.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Publish…"))

    def get_readonly_fields(self, request: HttpRequest, obj: PurposeVersion | None = None):
        return ["version", "published_at", "created_at", "publish_link"]

    def has_change_permission(self, request: HttpRequest, obj: PurposeVersion | None = None):
        # Published wording is evidence: staff may read it, never edit it.
        frozen = obj is not None and obj.is_published
        return not frozen and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: PurposeVersion | None = None):
        frozen = obj is not None and obj.is_published
        return not frozen and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: PurposeVersion, form, change: bool) -> None:
        purpose_version_save_draft(version=obj)

    def get_urls(self):
        publish = self.admin_site.admin_view(self.publish_view)
        return [
            path("<int:pk>/publish/", publish, name="consent_purposeversion_publish"),
            *super().get_urls(),
        ]

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = get_object_or_404(PurposeVersion.objects.select_related("purpose"), pk=pk)
        if not self.has_change_permission(request, version):
            self.message_user(request, _("This version is already published."), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:consent_purposeversion_changelist"))
        change_url = reverse("admin:consent_purposeversion_change", args=[pk])
        if request.method == "POST":
            before = config_snapshot(version)
            try:
                purpose_version_publish(version=version)
            except ApplicationError as problem:
                self.message_user(request, problem.message, level=messages.ERROR)
            else:
                version.refresh_from_db()
                config_change_record(
                    staff_user=request.user,
                    obj=version,
                    action=ConfigChange.Action.CHANGED,
                    before=before,
                    after=config_snapshot(version),
                )
                self.message_user(request, _("%(version)s is published.") % {"version": version})
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Publish %(version)s?") % {"version": version},
            "version": version,
            "wordings": [
                {
                    field: getattr(version, build_localized_fieldname(field, language))
                    for field in ("title", "summary", "text")
                }
                for language in mt_settings.AVAILABLE_LANGUAGES
            ],
            "opts": self.model._meta,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/consent/purposeversion/publish.html", context)


class DecisionFilter(admin.SimpleListFilter):
    """Filters on what an event decided, as the list shows it: a "no" stored before refusals
    had their own action is a refusal or a withdrawal by `ConsentEvent.with_decision`."""

    title = _("decision")
    parameter_name = "decision"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return ConsentEvent.Action.choices

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[ConsentEvent]
    ) -> QuerySet[ConsentEvent]:
        decision = self.value()
        if decision not in ConsentEvent.Action.values:
            return queryset
        # The stored action narrows the rows first; only stored withdrawals need reading.
        stored = {
            ConsentEvent.Action.REFUSE: [ConsentEvent.Action.REFUSE, ConsentEvent.Action.WITHDRAW]
        }.get(decision, [decision])
        return queryset.filter(action__in=stored, decision=decision)


@admin.register(ConsentEvent)
class ConsentEventAdmin(ReadOnlyAdminMixin, AccessLoggedAdminMixin, admin.ModelAdmin):
    access_log_data_category = "consent_history"
    list_display = [
        "occurred_at",
        "decision_shown",
        "trigger",
        "purpose",
        "purpose_version",
        "profile",
        "channel",
        "collection_point_shown",
        "gpc_signal",
    ]
    list_filter = [DecisionFilter, "trigger", "purpose", "channel", "gpc_signal", "occurred_at"]
    list_select_related = [
        "purpose__current_version",
        "purpose_version__purpose",
        "profile",
    ]
    search_fields = ["=receipt_id", "=profile__public_id", "collection_point"]
    date_hierarchy = "occurred_at"
    # The stored action stays beside the decision it reads as: the row is evidence as written.
    fields = [
        "receipt_id",
        "profile",
        "purpose",
        "purpose_version",
        "action",
        "decision_explained",
        "trigger",
        "occurred_at",
        "channel",
        "collection_point",
        "language",
        "ip_hmac",
        "user_agent_hmac",
        "gpc_signal",
    ]
    readonly_fields = ["receipt_id", "decision_explained"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ConsentEvent]:
        return super().get_queryset(request).with_decision()

    def get_changelist_instance(self, request: HttpRequest):
        changelist = super().get_changelist_instance(request)
        # One query names every collection point on the page.
        collection_points_name(changelist.result_list)
        return changelist

    @admin.display(description=_("decision"), ordering="decision")
    def decision_shown(self, event: ConsentEvent) -> str:
        return event.get_decided_display()

    @admin.display(description=_("decision"))
    def decision_explained(self, event: ConsentEvent) -> str:
        if event.decided == event.action:
            return event.get_decided_display()
        return _(
            "%(decision)s (stored as “%(action)s” before refusals had an action of their own)"
        ) % {"decision": event.get_decided_display(), "action": event.get_action_display()}

    @admin.display(description=_("collection point"), ordering="collection_point")
    def collection_point_shown(self, event: ConsentEvent) -> str:
        # The key stays searchable and shows on hover; the list reads by name.
        label = getattr(event, "collection_point_label", None) or collection_point_label(
            event.collection_point
        )
        return format_html('<span title="{}">{}</span>', event.collection_point, label)


@admin.register(ConsentState)
class ConsentStateAdmin(ReadOnlyAdminMixin, AccessLoggedAdminMixin, admin.ModelAdmin):
    access_log_data_category = "consent_state"
    list_display = ["profile", "purpose", "status", "version", "updated_at"]
    list_filter = ["status", "purpose"]
    list_select_related = ["profile", "purpose__current_version", "version"]
    search_fields = ["=profile__public_id"]
