"""What the composition root connects after every app registered its admin: machinery is for
superusers only, the campaign list reads its figures from insights and the campaign page's
embed panel the sites partners allow (neither of which campaigns may import)."""

from dataclasses import fields
from types import SimpleNamespace

from django.contrib import admin
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from apps.campaigns.admin import CampaignAdmin
from apps.campaigns.models import Campaign
from apps.insights.selectors import campaign_list_figures
from apps.insights.suppression import MINIMUM_GROUP, Cell
from apps.insights.views import VIEW_DASHBOARDS
from apps.partners.selectors import embed_origins_allowed
from config.admin.oauth import oauth_admin_names, oauth_models_name
from config.admin.outbox import outbox_admin_wire
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


def _shown(figure: Cell) -> str:
    """A figure as the list column shows it: too few people is short there, said on hover."""
    if figure.hidden:
        return format_html('<span title="{}">&lt;&nbsp;{}</span>', figure, MINIMUM_GROUP)
    return str(figure)


def campaign_figures_for(
    campaigns: list[Campaign], user: AbstractBaseUser | AnonymousUser
) -> dict[int, SimpleNamespace]:
    """The campaign list's figures (`apps.campaigns.admin_figures`), counted by insights."""
    dashboard = reverse("admin:insights_campaign") if user.has_perm(VIEW_DASHBOARDS) else None
    return {
        pk: SimpleNamespace(
            **{field.name: _shown(getattr(entry, field.name)) for field in fields(entry)},
            dashboard_url=f"{dashboard}?{urlencode({'campaign': pk})}" if dashboard else None,
        )
        for pk, entry in campaign_list_figures(campaigns=campaigns).items()
    }


def admin_wire(site: admin.AdminSite = admin.site) -> None:
    oauth_models_name()
    outbox_admin_wire(site)
    for model, model_admin in list(site._registry.items()):
        if is_superuser_only(model) and not isinstance(model_admin, SuperuserOnlyMixin):
            base = type(model_admin)
            names = oauth_admin_names(base) if model._meta.app_label == "oauth2_provider" else {}
            restricted = type(f"SuperuserOnly{base.__name__}", (SuperuserOnlyMixin, base), names)
            site.unregister(model)
            site.register(model, restricted)
    CampaignAdmin.list_figures_source = staticmethod(campaign_figures_for)
    CampaignAdmin.embed_origins_source = staticmethod(embed_origins_allowed)
