"""The requests desk: data-subject requests with their deadlines, and which partners have
acknowledged withdrawals and erasures. Every look at a customer's request is logged."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.core.exceptions import ApplicationError
from apps.privacy.admin_mixins import AccessLoggedAdminMixin
from apps.privacy.models import AccessLog, DataRequest, PartnerNotice
from apps.privacy.services import access_log_record
from apps.privacy.services.data_requests import (
    data_request_create,
    data_request_retry,
    data_request_start,
)
from apps.privacy.services.notices import (
    partner_notices_acknowledge_delivered,
    partner_notices_confirm,
)
from apps.profiles.identifiers import email_normalise
from apps.profiles.models import Identifier, Profile
from apps.profiles.selectors import profile_by_identifier


class DeadlineFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [("open", _("Open")), ("overdue", _("Overdue"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[DataRequest]):
        if self.value() == "open":
            return queryset.open()
        if self.value() == "overdue":
            return queryset.overdue()
        return queryset


class DataRequestAddForm(forms.ModelForm):
    """A request a customer wrote in with: found by their e-mail address or public id."""

    email = forms.CharField(
        label=_("Customer's e-mail address"),
        required=False,
        max_length=254,
        help_text=_("The address the customer wrote from, once you checked it is theirs."),
    )
    customer_public_id = forms.UUIDField(label=_("or the customer's public id"), required=False)
    # Deleting everything on someone's written word is the privacy officer's decision.
    may_erase = True

    class Meta:
        model = DataRequest
        fields = ["kind", "channel"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].initial = DataRequest.Channel.MAIL
        self.profile: Profile | None = None

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("kind") == DataRequest.Kind.ERASURE and not self.may_erase:
            raise forms.ValidationError(
                _("Only the privacy officer enters an erasure. Pass the customer's message on.")
            )
        email, public_id = cleaned.get("email", "").strip(), cleaned.get("customer_public_id")
        if bool(email) == bool(public_id):
            raise forms.ValidationError(_("Give either the e-mail address or the public id."))
        if email:
            try:
                address = email_normalise(email)
            except ApplicationError as problem:
                raise forms.ValidationError({"email": problem.message}) from None
            self.profile = profile_by_identifier(kind=Identifier.Kind.EMAIL, value=address)
        else:
            self.profile = Profile.objects.filter(public_id=public_id).first()
        if self.profile is None:
            raise forms.ValidationError(_("No customer has this address or id."))
        if self.profile.is_merged:
            self.profile = self.profile.merged_into
        if self.profile.is_erased:
            raise forms.ValidationError(_("This customer's data has already been erased."))
        return cleaned


class PartnerNoticeInline(admin.TabularInline):
    model = PartnerNotice
    extra = 0
    can_delete = False
    fields = ["partner", "kind", "via", "told_at", "acknowledged_at", "acknowledged_via"]
    readonly_fields = fields
    verbose_name_plural = _("partners told")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(DataRequest)
class DataRequestAdmin(AccessLoggedAdminMixin, admin.ModelAdmin):
    access_log_data_category = "data_requests"
    list_display = [
        "reference",
        "kind",
        "status",
        "channel",
        "profile",
        "requested_at",
        "deadline",
        "completed_at",
    ]
    list_filter = [DeadlineFilter, "kind", "status", "channel"]
    list_select_related = ["profile"]
    search_fields = ["=public_id", "=profile__public_id"]
    date_hierarchy = "requested_at"
    actions = ["run_now", "retry"]
    inlines = [PartnerNoticeInline]
    fields = [
        "reference",
        "kind",
        "status",
        "channel",
        "profile",
        "requested_by",
        "requested_at",
        "deadline",
        "started_at",
        "completed_at",
        "download",
        "result_shown",
        "error",
    ]
    readonly_fields = fields

    class Media:
        css = {"all": ["css/privacy-admin.css"]}

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = type(
                "DataRequestAddForm",
                (DataRequestAddForm,),
                {"may_erase": self.has_change_permission(request)},
            )
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return ["kind", "channel", "email", "customer_public_id"] if obj is None else self.fields

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request: HttpRequest, obj=None):
        return self.inlines if obj is not None and obj.kind == DataRequest.Kind.ERASURE else []

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Proof that a request was answered, and when.
        return False

    def save_model(self, request: HttpRequest, obj: DataRequest, form, change: bool) -> None:
        if change:
            return
        profile = form.profile
        # Finding the customer by their address is a look at their data.
        access_log_record(
            profiles=[profile], data_category="data_requests", staff_user=request.user
        )
        created = data_request_create(
            profile=profile,
            kind=form.cleaned_data["kind"],
            channel=form.cleaned_data["channel"],
            requested_by=request.user,
        )
        # The admin goes on with the request made (or the one already open).
        obj.__dict__.update(created.__dict__)

    def get_urls(self):
        download = self.admin_site.admin_view(self.download_view)
        return [
            path("<int:pk>/download/", download, name="privacy_datarequest_download"),
            *super().get_urls(),
        ]

    def download_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Staff take an export to send to a customer who wrote in; it is logged as an export
        of the customer's data. Handing over everything is the privacy officer's call
        (change permission), not every role that may file a request."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        data_request = get_object_or_404(DataRequest, pk=pk, kind=DataRequest.Kind.EXPORT)
        if not data_request.file:
            self.message_user(request, _("This export has no file (any more)."), messages.ERROR)
            return self._back(data_request)
        access_log_record(
            profiles=[data_request.profile],
            data_category="export",
            staff_user=request.user,
            action=AccessLog.Action.EXPORT,
        )
        response = FileResponse(
            data_request.file.open("rb"),
            as_attachment=True,
            filename=f"export-{data_request.public_id}.zip",
            content_type="application/zip",
        )
        response["Cache-Control"] = "private, no-store"
        return response

    def _back(self, data_request: DataRequest) -> HttpResponse:
        return HttpResponseRedirect(
            reverse("admin:privacy_datarequest_change", args=[data_request.pk])
        )

    @admin.display(description=_("reference"))
    def reference(self, data_request: DataRequest) -> str:
        return str(data_request.public_id)[:8]

    @admin.display(description=_("due"), ordering="due_at")
    def deadline(self, data_request: DataRequest) -> str:
        due = timezone.localtime(data_request.due_at).strftime("%Y-%m-%d")
        if data_request.is_overdue:
            return format_html(
                '<strong class="privacy-overdue">{} · {}</strong>', due, _("overdue")
            )
        return due

    @admin.display(description=_("file"))
    def download(self, data_request: DataRequest) -> str:
        if data_request.kind != DataRequest.Kind.EXPORT or not data_request.file:
            return "—"
        url = reverse("admin:privacy_datarequest_download", args=[data_request.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download (logged)"))

    @admin.display(description=_("result"))
    def result_shown(self, data_request: DataRequest) -> str:
        if not data_request.result:
            return "—"
        text = json.dumps(data_request.result, indent=2, ensure_ascii=False, sort_keys=True)
        return format_html("<pre>{}</pre>", text)

    @admin.action(description=_("Run waiting requests now"), permissions=["change"])
    def run_now(self, request: HttpRequest, queryset: QuerySet[DataRequest]) -> None:
        waiting = list(queryset.filter(status=DataRequest.Status.PENDING))
        for data_request in waiting:
            data_request_start(data_request=data_request)
        self.message_user(
            request,
            ngettext("%(count)d request started.", "%(count)d requests started.", len(waiting))
            % {"count": len(waiting)},
        )

    @admin.action(description=_("Retry failed or stuck requests"), permissions=["change"])
    def retry(self, request: HttpRequest, queryset: QuerySet[DataRequest]) -> None:
        retried = 0
        for data_request in queryset:
            try:
                data_request_retry(data_request=data_request)
            except ApplicationError as problem:
                self.message_user(request, f"{data_request}: {problem.message}", messages.WARNING)
            else:
                retried += 1
        if retried:
            self.message_user(
                request,
                ngettext("%(count)d request retried.", "%(count)d requests retried.", retried)
                % {"count": retried},
            )


@admin.register(PartnerNotice)
class PartnerNoticeAdmin(AccessLoggedAdminMixin, admin.ModelAdmin):
    access_log_data_category = "partner_notices"
    # The list shows nothing but the notice itself; opening one needs no reason.
    access_log_reason_required = False
    list_display = [
        "told_at",
        "partner",
        "kind",
        "purpose_key",
        "via",
        "acknowledgement",
        "data_request",
    ]
    list_filter = [("acknowledged_at", admin.EmptyFieldListFilter), "kind", "via", "partner"]
    list_select_related = ["partner", "data_request"]
    search_fields = ["=subject_public_id", "partner__name"]
    date_hierarchy = "told_at"
    actions = ["confirm_acknowledged", "check_webhooks"]
    fields = [
        "partner",
        "kind",
        "subject_public_id",
        "purpose_key",
        "data_request",
        "via",
        "told_at",
        "acknowledged_at",
        "acknowledged_via",
        "acknowledged_by",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("acknowledged"), ordering="acknowledged_at")
    def acknowledgement(self, notice: PartnerNotice) -> str:
        if notice.acknowledged_at is None:
            days = (timezone.now() - notice.told_at).days
            return format_html(
                '<strong class="privacy-overdue">{}</strong>',
                ngettext("waiting for %(days)d day", "waiting for %(days)d days", days)
                % {"days": days},
            )
        return f"{timezone.localtime(notice.acknowledged_at):%Y-%m-%d %H:%M} ({notice.get_acknowledged_via_display()})"

    @admin.action(
        description=_("The partner confirmed it to us: mark as acknowledged"),
        permissions=["change"],
    )
    def confirm_acknowledged(self, request: HttpRequest, queryset: QuerySet[PartnerNotice]) -> None:
        marked = partner_notices_confirm(notices=queryset, staff_user=request.user)
        self.message_user(
            request,
            ngettext("%(count)d notice marked.", "%(count)d notices marked.", marked)
            % {"count": marked},
        )

    @admin.action(description=_("Check webhook answers now"), permissions=["view"])
    def check_webhooks(self, request: HttpRequest, queryset: QuerySet[PartnerNotice]) -> None:
        marked = partner_notices_acknowledge_delivered()
        self.message_user(
            request,
            ngettext(
                "%(count)d notice acknowledged by webhook.",
                "%(count)d notices acknowledged by webhook.",
                marked,
            )
            % {"count": marked},
        )
