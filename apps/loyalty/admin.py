import uuid

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.core.admin_mixins import ReadOnlyAdminMixin
from apps.core.exceptions import ApplicationError
from apps.loyalty.models import (
    Account,
    EarningRule,
    LedgerEntry,
    Redemption,
    Reward,
    RewardCode,
    Tier,
)
from apps.loyalty.selectors import points_liability
from apps.loyalty.services import ledger_adjust, redemption_cancel, tier_save
from apps.privacy.admin_mixins import AccessLoggedAdminMixin


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ["key", "name_de", "threshold", "multiplier"]

    def save_model(self, request: HttpRequest, obj: Tier, form, change: bool) -> None:
        tier_save(tier=obj)


@admin.register(EarningRule)
class EarningRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "event_name", "points", "multiply_by_tier", "is_active"]
    list_filter = ["event_name", "is_active"]
    search_fields = ["name", "event_name"]


class RewardCodeInline(admin.TabularInline):
    model = RewardCode
    fields = ["code", "redemption"]
    readonly_fields = ["redemption"]
    extra = 3


@admin.register(Reward)
class RewardAdmin(admin.ModelAdmin):
    list_display = ["title_de", "cost", "stock", "fulfilment", "valid_until", "is_active"]
    list_filter = ["is_active", "fulfilment"]
    search_fields = ["title_de", "title_en"]
    inlines = [RewardCodeInline]


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
        extra_context = {**(extra_context or {}), "liability": points_liability()}
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
                    reason="Cancelled by staff",
                    staff_user=request.user,
                )
            except ApplicationError as problem:
                self.message_user(request, problem.message, level=messages.WARNING)
