"""The admin site: a branded header, the sections in the navigation and on the start page."""

from django.conf import settings
from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from two_factor.utils import default_device

from config.admin.second_factor import second_factor_passed
from config.admin.sections import SECTIONS, SECTIONS_BY_SLUG, SYSTEM, section_place
from config.admin.sign_in import StaffLoginView
from config.admin.start import start_page

SYSTEM_SECTION = SECTIONS_BY_SLUG[SYSTEM]
UNPLACED = len(SYSTEM_SECTION.models)


class ResonanzAdminSite(admin.AdminSite):
    site_title = "Resonanz"
    index_title = _("Start page")
    index_template = "admin/start.html"

    @property
    def site_header(self) -> str:
        return f"Resonanz · {settings.PROGRAM_NAME}"

    def has_permission(self, request: HttpRequest) -> bool:
        """Active staff, and past the second factor where they need one: a session cookie
        from the password alone opens no admin page."""
        return super().has_permission(request) and second_factor_passed(request)

    @method_decorator(never_cache)
    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """Password, then the code of the user's device (django-two-factor-auth). Staff who
        signed in with their password but have no device yet are sent to set one up."""
        user = request.user
        if self.has_permission(request):
            if request.method == "GET":
                return redirect(reverse("admin:index", current_app=self.name))
        elif user.is_active and user.is_staff and default_device(user) is None:
            return redirect("two_factor:setup")
        return StaffLoginView.as_view(extra_context=extra_context)(request)

    def each_context(self, request: HttpRequest) -> dict:
        return {**super().each_context(request), "program_name": settings.PROGRAM_NAME}

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict]:
        """The sections the user may see, each with the pages of it they may open, in the
        sections' order. An app's own page (`app_label`, where breadcrumbs lead) stays as
        Django builds it."""
        if app_label:
            return super().get_app_list(request, app_label)
        entries: dict[str, list[tuple[int, dict]]] = {}
        for app in self._build_app_dict(request).values():
            for model in app["models"]:
                # Machinery and unplaced pages let only superusers in: they go under System.
                section, place = section_place(model["model"]) or (SYSTEM_SECTION, UNPLACED)
                entries.setdefault(section.slug, []).append((place, model))
        return [
            {
                "name": section.title,
                "app_label": section.slug,
                "app_url": reverse("admin:section", args=[section.slug], current_app=self.name),
                "has_module_perms": True,
                "models": [model for _place, model in sorted(entries[section.slug], key=_by_place)],
            }
            for section in SECTIONS
            if section.slug in entries
        ]

    def get_urls(self):
        return [
            # Staff who have not passed the second factor may still sign out.
            path("logout/", csrf_protect(never_cache(self.logout)), name="logout"),
            path("section/<slug:slug>/", self.admin_view(self.section_index), name="section"),
            *super().get_urls(),
        ]

    def section_index(self, request: HttpRequest, slug: str) -> TemplateResponse:
        app_list = [app for app in self.get_app_list(request) if app["app_label"] == slug]
        if not app_list:
            raise Http404(_("There is no such section, or you may not see it."))
        context = {
            **self.each_context(request),
            "title": app_list[0]["name"],
            "subtitle": None,
            "app_list": app_list,
            "app_label": slug,
        }
        request.current_app = self.name
        return TemplateResponse(request, "admin/app_index.html", context)

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> TemplateResponse:
        return super().index(
            request, {"start": start_page(user=request.user), **(extra_context or {})}
        )


def _by_place(entry: tuple[int, dict]) -> tuple[int, str]:
    place, model = entry
    return place, str(model["name"])
