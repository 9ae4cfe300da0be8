"""The campaign list's columns: where a campaign stands, and how it performs.

The figures are counted by insights, which sits above campaigns; so this module names no
source. The composition root (`config.admin`) plugs one in as `list_figures_source`. Without
one the figure columns show a dash."""

from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from typing import Any, ClassVar

from django.contrib import admin
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.campaigns.models import Campaign

# Given the page's campaigns and the user who looks, each campaign's figures by id, ready to
# show: an object with `plays`, `completion_rate`, `consent_rate`, `declarations`,
# `points_paid` and `dashboard_url` (None when the user may not open the dashboard).
FiguresSource = Callable[[list[Campaign], AbstractBaseUser | AnonymousUser], Mapping[int, Any]]

FIGURE_COLUMNS = [
    "schedule_status",
    "dates",
    "plays",
    "completion_rate",
    "consent_rate",
    "declarations_gained",
    "points_paid",
    "dashboard_link",
]


def campaign_schedule_status(campaign: Campaign, *, now: datetime) -> str:
    """The status as customers meet it: a live campaign before its start is scheduled, one
    past its end has ended."""
    if campaign.status == Campaign.Status.LIVE:
        if campaign.starts_at and campaign.starts_at > now:
            return str(Campaign.Status.SCHEDULED.label)
        if campaign.ends_at and campaign.ends_at <= now:
            return str(Campaign.Status.ENDED.label)
    return campaign.get_status_display()


class CampaignListFiguresMixin:
    """Adds the figure columns' values to the campaigns of one list page, read for the
    whole page at once."""

    list_figures_source: ClassVar[FiguresSource | None] = None

    def get_changelist_instance(self, request: HttpRequest):
        changelist = super().get_changelist_instance(request)
        campaigns = list(changelist.result_list)  # the page's rows, kept for rendering
        source = type(self).list_figures_source
        figures = source(campaigns, request.user) if source else {}
        now = timezone.now()
        for campaign in campaigns:
            campaign.list_figures = figures.get(campaign.pk)
            campaign.list_now = now
        return changelist

    @staticmethod
    def _figure(campaign: Campaign, name: str) -> str:
        figures = getattr(campaign, "list_figures", None)
        if figures is None:
            return "—"
        return getattr(figures, name)

    @admin.display(description=_("status"), ordering="status")
    def schedule_status(self, campaign: Campaign) -> str:
        return campaign_schedule_status(
            campaign, now=getattr(campaign, "list_now", None) or timezone.now()
        )

    @admin.display(description=_("dates"), ordering="starts_at")
    def dates(self, campaign: Campaign) -> str:
        starts, ends = campaign.starts_at, campaign.ends_at
        day = partial(date_format, format="SHORT_DATE_FORMAT")
        if starts and ends:
            return f"{day(timezone.localtime(starts))} \N{EN DASH} {day(timezone.localtime(ends))}"
        if starts:
            return _("from %(day)s") % {"day": day(timezone.localtime(starts))}
        if ends:
            return _("until %(day)s") % {"day": day(timezone.localtime(ends))}
        return "—"

    @admin.display(description=_("plays"))
    def plays(self, campaign: Campaign) -> str:
        return self._figure(campaign, "plays")

    @admin.display(description=_("completion rate"))
    def completion_rate(self, campaign: Campaign) -> str:
        return self._figure(campaign, "completion_rate")

    @admin.display(description=_("consent rate"))
    def consent_rate(self, campaign: Campaign) -> str:
        return self._figure(campaign, "consent_rate")

    @admin.display(description=_("declarations gained"))
    def declarations_gained(self, campaign: Campaign) -> str:
        return self._figure(campaign, "declarations")

    @admin.display(description=_("points paid"))
    def points_paid(self, campaign: Campaign) -> str:
        return self._figure(campaign, "points_paid")

    @admin.display(description=_("dashboard"))
    def dashboard_link(self, campaign: Campaign) -> str:
        url = getattr(getattr(campaign, "list_figures", None), "dashboard_url", None)
        if not url:
            return "—"
        return format_html('<a href="{}">{}</a>', url, _("Open dashboard"))
