"""What the composition root connects after every app registered its admin: machinery is for
superusers only, and the campaign list reads its figures from insights (which campaigns may
not import)."""

import dataclasses

from django.contrib import admin
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode

from apps.campaigns.admin import CampaignAdmin
from apps.campaigns.models import Campaign
from apps.insights.selectors import CampaignListFigures, campaign_list_figures
from apps.insights.views import VIEW_DASHBOARDS
from config.admin.oauth import oauth_admin_names, oauth_models_name
from config.admin.sections import is_superuser_only


class SuperuserOnlyMixin:
    """Hides a page from everyone but superusers, whatever permissions they were given."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)


def campaign_figures_for(
    campaigns: list[Campaign], user: AbstractBaseUser | AnonymousUser
) -> dict[int, CampaignListFigures]:
    figures = campaign_list_figures(campaigns=campaigns)
    if not user.has_perm(VIEW_DASHBOARDS):
        return figures
    dashboard = reverse("admin:insights_campaign")
    return {
        pk: dataclasses.replace(entry, dashboard_url=f"{dashboard}?{urlencode({'campaign': pk})}")
        for pk, entry in figures.items()
    }


def admin_wire(site: admin.AdminSite = admin.site) -> None:
    oauth_models_name()
    for model, model_admin in list(site._registry.items()):
        if is_superuser_only(model) and not isinstance(model_admin, SuperuserOnlyMixin):
            base = type(model_admin)
            names = oauth_admin_names(base) if model._meta.app_label == "oauth2_provider" else {}
            restricted = type(f"SuperuserOnly{base.__name__}", (SuperuserOnlyMixin, base), names)
            site.unregister(model)
            site.register(model, restricted)
    CampaignAdmin.list_figures_source = staticmethod(campaign_figures_for)
