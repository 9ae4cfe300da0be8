import uuid

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin
from modeltranslation.utils import get_translation_fields

from apps.audit.admin_mixins import AccessLoggedAdminMixin, ConfigAuditedAdminMixin
from apps.core.admin_mixins import ReadOnlyAdminMixin, image_preview
from apps.core.exceptions import ApplicationError
from apps.core.forms import ImageUploadField
from apps.loyalty.models import (
    Account,
    Badge,
    EarningRule,
    LedgerEntry,
    Redemption,
    Reward,
    RewardCode,
    Tier,
    rule_source_ref,
)
from apps.loyalty.reasons import LedgerReason
from apps.loyalty.selectors import earning_rule_preview, points_liability
from apps.loyalty.services import (
    badge_save,
    earning_rule_save,
    ledger_adjust,
    redemption_cancel,
    reward_codes_import,
    reward_save,
    tier_save,
)


@admin.register(Tier)
class TierAdmin(ConfigAuditedAdminMixin, TabbedTranslationAdmin):
    list_display = ["key", "name", "threshold", "multiplier"]

    def save_model(self, request: HttpRequest, obj: Tier, form, change: bool) -> None:
        tier_save(tier=obj)


@admin.register(EarningRule)
class EarningRuleAdmin(ConfigAuditedAdminMixin, TabbedTranslationAdmin):
    list_display = ["name", "event_name", "points", "multiply_by_tier", "is_active"]
    list_filter = ["event_name", "is_active"]
    search_fields = [*get_translation_fields("name"), "event_name"]
    readonly_fields = ["last_30_days"]

    def save_model(self, request: HttpRequest, obj: EarningRule, form, change: bool) -> None:
        earning_rule_save(rule=obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # A rule that has paid points is part of customers' history (their ledger names it):
        # it is switched off, not deleted.
        if (
            obj is not None
            and LedgerEntry.objects.filter(source_ref=rule_source_ref(obj.pk)).exists()
        ):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("what it would have paid in the last 30 days"))
    def last_30_days(self, rule: EarningRule) -> str:
        if not rule.pk:
            return "—"
        preview = earning_rule_preview(rule=rule, days=30)
        return _("%(points)s points for %(events)s events by %(customers)s customers") % {
            "points": preview.points,
            "events": preview.events,
            "customers": preview.customers,
        }


class RewardCodeInline(admin.TabularInline):
    model = RewardCode
    fields = ["code", "redemption"]
    readonly_fields = ["redemption"]
    extra = 0


class RewardForm(forms.ModelForm):
    image_upload = ImageUploadField(
        label=_("image"),
        required=False,
        help_text=_("JPEG, PNG, WebP or GIF, at most 8 MB; stored square at 800 and 200 px."),
    )

    class Meta:
        model = Reward
        fields = [
            "title",
            "description",
            "cost",
            "stock",
            "per_profile_limit",
            "valid_from",
            "valid_until",
            "minimum_tier",
            "fulfilment",
            "is_active",
            "position",
        ]


class CodeUploadForm(forms.Form):
    codes = forms.FileField(label=_("CSV file, one code per row"))


@admin.register(Reward)
class RewardAdmin(ConfigAuditedAdminMixin, TabbedTranslationAdmin):
    form = RewardForm
    list_display = ["title", "cost", "stock", "fulfilment", "valid_until", "is_active"]
    list_filter = ["is_active", "fulfilment"]
    search_fields = get_translation_fields("title")
    readonly_fields = ["current_image", "codes_link"]
    # Named, since the translation tabs would otherwise show only the form's model fields.
    fields = [*RewardForm.Meta.fields, "image_upload", *readonly_fields]
    inlines = [RewardCodeInline]

    @admin.display(description=_("current image"))
    def current_image(self, reward: Reward) -> str:
        return image_preview(reward.thumbnail, width=100, height=100)

    @admin.display(description=_("code pool"))
    def codes_link(self, reward: Reward) -> str:
        if not reward.pk:
            return "—"
        url = reverse("admin:loyalty_reward_codes", args=[reward.pk])
        return format_html('<a href="{}">{}</a>', url, _("Upload codes…"))

    def save_model(self, request: HttpRequest, obj: Reward, form, change: bool) -> None:
        reward_save(reward=obj, image=form.cleaned_data.get("image_upload"))

    def get_urls(self):
        upload = self.admin_site.admin_view(self.codes_view)
        return [
            path("<int:pk>/codes/", upload, name="loyalty_reward_codes"),
            *super().get_urls(),
        ]

    def codes_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        reward = get_object_or_404(Reward, pk=pk)
        if not self.has_change_permission(request, reward):
            return HttpResponseRedirect(reverse("admin:index"))
        form = CodeUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                count = reward_codes_import(reward=reward, upload=form.cleaned_data["codes"])
            except ApplicationError as problem:
                form.add_error("codes", problem.message)
            else:
                self.message_user(request, _("%(count)s codes imported.") % {"count": count})
                return HttpResponseRedirect(reverse("admin:loyalty_reward_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Upload codes for %(reward)s") % {"reward": reward},
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/loyalty/reward/codes.html", context)


class LedgerEntryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = LedgerEntry
    fields = ["created_at", "amount", "kind", "reason", "source_ref", "expires_at", "staff_user"]
    readonly_fields = fields
    extra = 0
    ordering = ["-id"]
    show_change_link = False


class AdjustmentForm(forms.Form):
    points = forms.IntegerField(label=_("points (negative to deduct)"))
    reason = forms.CharField(label=_("reason"), max_length=200)


@admin.register(Account)
class AccountAdmin(ReadOnlyAdminMixin, AccessLoggedAdminMixin, admin.ModelAdmin):
    access_log_data_category = "points"
    list_display = ["profile", "balance", "lifetime_earned", "tier", "adjust_link"]
    list_filter = ["tier"]
    list_select_related = ["profile", "tier"]
    search_fields = ["=profile__public_id"]
    inlines = [LedgerEntryInline]

    @admin.display(description=_("adjust"))
    def adjust_link(self, account: Account) -> str:
        url = reverse("admin:loyalty_account_adjust", args=[account.pk])
        return format_html('<a href="{}">{}</a>', url, _("Adjust…"))

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        points = points_liability()
        extra_context = {
            **(extra_context or {}),
            "liability": points,
            "liability_value": points * settings.LOYALTY_POINT_VALUE_CENTS / 100,
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        adjust = self.admin_site.admin_view(self.adjust_view)
        return [
            path("<int:pk>/adjust/", adjust, name="loyalty_account_adjust"),
            *super().get_urls(),
        ]

    def adjust_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not request.user.has_perm("loyalty.add_ledgerentry"):
            return HttpResponseRedirect(reverse("admin:index"))
        account = get_object_or_404(Account.objects.select_related("profile"), pk=pk)
        form = AdjustmentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                ledger_adjust(
                    profile=account.profile,
                    points=form.cleaned_data["points"],
                    reason=form.cleaned_data["reason"],
                    staff_user=request.user,
                    idempotency_key=request.POST.get("key") or str(uuid.uuid4()),
                )
            except ApplicationError as problem:
                form.add_error(None, problem.message)
            else:
                self.message_user(request, _("The adjustment is booked."))
                return HttpResponseRedirect(reverse("admin:loyalty_account_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Adjust points of %(account)s") % {"account": account.profile},
            "form": form,
            "account": account,
            "key": uuid.uuid4(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/loyalty/account/adjust.html", context)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdminMixin, AccessLoggedAdminMixin, admin.ModelAdmin):
    access_log_data_category = "points"
    list_display = ["created_at", "account", "amount", "kind", "reason", "staff_user"]
    list_filter = ["kind"]
    list_select_related = ["account", "staff_user"]
    search_fields = ["=account__profile__public_id", "idempotency_key"]

    def _log(self, request: HttpRequest, objects) -> None:
        super()._log(request, [entry.account for entry in objects])


@admin.register(Redemption)
class RedemptionAdmin(AccessLoggedAdminMixin, admin.ModelAdmin):
    access_log_data_category = "points"
    list_display = ["created_at", "reward", "account", "status", "code"]
    list_filter = ["status", "reward"]
    list_select_related = ["reward", "account"]
    actions = ["cancel"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def _log(self, request: HttpRequest, objects) -> None:
        super()._log(request, [redemption.account for redemption in objects])

    def has_cancel_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("loyalty.change_redemption")

    @admin.action(description=_("Cancel and refund the points"), permissions=["cancel"])
    def cancel(self, request: HttpRequest, queryset) -> None:
        for redemption in queryset:
            try:
                redemption_cancel(
                    redemption_id=redemption.pk,
                    reason=LedgerReason.CANCELLED_BY_STAFF,
                    staff_user=request.user,
                )
            except ApplicationError as problem:
                self.message_user(request, problem.message, level=messages.WARNING)


class BadgeForm(forms.ModelForm):
    image_upload = ImageUploadField(
        label=_("image"),
        required=False,
        help_text=_("JPEG, PNG, WebP or GIF, at most 8 MB; stored square at 400 and 120 px."),
    )

    class Meta:
        model = Badge
        fields = [
            "key",
            "name",
            "description",
            "is_hidden",
            "tier",
            "challenges_completed",
            "position",
        ]


@admin.register(Badge)
class BadgeAdmin(ConfigAuditedAdminMixin, TabbedTranslationAdmin):
    form = BadgeForm
    list_display = ["key", "name", "tier", "challenges_completed", "is_hidden", "position"]
    readonly_fields = ["current_image"]
    # Named, since the translation tabs would otherwise show only the form's model fields.
    fields = [*BadgeForm.Meta.fields, "image_upload", *readonly_fields]

    @admin.display(description=_("current image"))
    def current_image(self, badge: Badge) -> str:
        return image_preview(badge.thumbnail, width=120, height=120)

    def save_model(self, request: HttpRequest, obj: Badge, form, change: bool) -> None:
        badge_save(badge=obj, image=form.cleaned_data.get("image_upload"))
