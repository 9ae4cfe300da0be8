from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse

from apps.core.admin_mixins import ReadOnlyAdminMixin
from apps.insights import views
from apps.insights.models import Dashboard, RollupRun


@admin.register(Dashboard)
class DashboardAdmin(admin.ModelAdmin):
    """The dashboards' place in the admin: an entry in the app list and their pages."""

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm(views.VIEW_DASHBOARDS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:insights_program"))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("program/", wrap(views.dashboard_program), name="insights_program"),
            path(
                "program/<slug:table>.csv",
                wrap(views.dashboard_program_csv),
                name="insights_program_csv",
            ),
            path("campaign/", wrap(views.dashboard_campaign), name="insights_campaign"),
            path(
                "campaign/<slug:table>.csv",
                wrap(views.dashboard_campaign_csv),
                name="insights_campaign_csv",
            ),
            path("compare/", wrap(views.dashboard_compare), name="insights_compare"),
            *super().get_urls(),
        ]


@admin.register(RollupRun)
class RollupRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["started_at", "finished_at", "full", "days", "seconds"]
    list_filter = ["full"]
