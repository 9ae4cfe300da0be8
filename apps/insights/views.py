"""Staff dashboards inside the admin (wired in `apps.insights.admin`). Each page works as a
plain GET form; with htmx the filters swap only the dashboard region."""

import csv

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from apps.insights.charts import Table
from apps.insights.forms import CampaignRangeForm, CompareForm, RangeForm
from apps.insights.selectors import campaign_dashboard, program_dashboard
from apps.profiles.http import HtmxHttpRequest

VIEW_DASHBOARDS = "insights.view_dashboards"
VIEW_FREE_TEXT = "insights.view_free_text"


def _require_dashboards(request: HttpRequest) -> None:
    if not request.user.has_perm(VIEW_DASHBOARDS):
        raise PermissionDenied


def _render(request: HtmxHttpRequest, template: str, context: dict) -> HttpResponse:
    name = f"{template}#dashboard" if request.htmx else template
    return render(request, name, {**admin.site.each_context(request), **context})


def _csv(table: Table | None, *, filename: str) -> HttpResponse:
    if table is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{table.key}.csv"'
    csv.writer(response).writerows(table.csv_rows())
    return response


def _campaign_dashboard(request: HttpRequest, form, campaign):
    """A campaign over the form's range, with free text only for those allowed to read it."""
    return campaign_dashboard(
        campaign=campaign,
        first=form.cleaned_data["start"],
        last=form.cleaned_data["end"],
        free_text=request.user.has_perm(VIEW_FREE_TEXT),
    )


def _errors(form) -> HttpResponse:
    messages = [str(error) for errors in form.errors.values() for error in errors]
    return HttpResponseBadRequest("\n".join(messages), content_type="text/plain; charset=utf-8")


@require_GET
@vary_on_headers("HX-Request")
def dashboard_program(request: HtmxHttpRequest) -> HttpResponse:
    _require_dashboards(request)
    form = RangeForm(request.GET)
    context = {
        "title": _("Program insights"),
        "form": form,
        "csv_route": "admin:insights_program_csv",
    }
    if form.is_valid():
        context["dashboard"] = program_dashboard(
            first=form.cleaned_data["start"], last=form.cleaned_data["end"]
        )
        context["query"] = urlencode(form.query())
    return _render(request, "admin/insights/program.html", context)


@require_GET
def dashboard_program_csv(request: HttpRequest, table: str) -> HttpResponse:
    _require_dashboards(request)
    form = RangeForm(request.GET)
    if not form.is_valid():
        return _errors(form)
    first, last = form.cleaned_data["start"], form.cleaned_data["end"]
    dashboard = program_dashboard(first=first, last=last)
    return _csv(dashboard.tables().get(table), filename=f"program-{first}-{last}")


@require_GET
@vary_on_headers("HX-Request")
def dashboard_campaign(request: HtmxHttpRequest) -> HttpResponse:
    _require_dashboards(request)
    form = CampaignRangeForm(request.GET)
    context = {
        "title": _("Campaign insights"),
        "form": form,
        "csv_route": "admin:insights_campaign_csv",
    }
    if form.is_valid() and form.cleaned_data["campaign"]:
        campaign = form.cleaned_data["campaign"]
        context["dashboard"] = _campaign_dashboard(request, form, campaign)
        context["query"] = urlencode(form.query(campaign=campaign.pk))
    return _render(request, "admin/insights/campaign.html", context)


@require_GET
def dashboard_campaign_csv(request: HttpRequest, table: str) -> HttpResponse:
    _require_dashboards(request)
    form = CampaignRangeForm(request.GET)
    if not form.is_valid():
        return _errors(form)
    campaign = form.cleaned_data["campaign"]
    if campaign is None:
        return HttpResponseBadRequest(_("Choose a campaign."))
    first, last = form.cleaned_data["start"], form.cleaned_data["end"]
    dashboard = _campaign_dashboard(request, form, campaign)
    return _csv(dashboard.tables().get(table), filename=f"{campaign.slug}-{first}-{last}")


@require_GET
@vary_on_headers("HX-Request")
def dashboard_compare(request: HtmxHttpRequest) -> HttpResponse:
    _require_dashboards(request)
    form = CompareForm(request.GET)
    context = {
        "title": _("Compare campaigns"),
        "form": form,
        "csv_route": "admin:insights_campaign_csv",
    }
    if form.is_valid() and form.cleaned_data["first"] and form.cleaned_data["second"]:
        context["panels"] = [
            {
                "dashboard": _campaign_dashboard(request, form, campaign),
                "query": urlencode(form.query(campaign=campaign.pk)),
            }
            for campaign in (form.cleaned_data["first"], form.cleaned_data["second"])
        ]
    return _render(request, "admin/insights/compare.html", context)
