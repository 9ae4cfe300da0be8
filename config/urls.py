from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from apps.core.views import server_error
from apps.partners.api import views as api_views
from apps.partners.api.views import api_not_found
from config.admin import sign_in

public_api = {
    "permission_classes": [AllowAny],
    "authentication_classes": [],
    "throttle_classes": [],
}

urlpatterns = [
    path("", include("apps.core.urls")),
    path("", include("apps.profiles.urls")),
    path("", include("apps.partners.urls")),
    path("", include("apps.consent.urls")),
    path("", include("apps.preferences.urls")),
    path("", include("apps.loyalty.urls")),
    path("", include("apps.campaigns.urls")),
    path("", include("apps.challenges.urls")),
    path("", include("apps.personalization.urls")),
    path("", include("apps.privacy.urls")),
    path("", include("apps.demo.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Setting up the admin's second factor (config/admin/sign_in.py), before any admin page.
    path("admin/", include(sign_in.urlpatterns)),
    path("admin/", admin.site.urls),
    path("api/oauth/token/", api_views.token, name="api-token"),
    path("api/v1/", include("apps.partners.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(**public_api), name="api-schema"),
    path(
        "api/docs/",
        # The split view serves its script as a file, so the page needs no inline script.
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", **public_api),
        name="api-docs",
    ),
    path("api/problems/<slug:problem_type>", api_not_found, name="api-problem"),
    re_path(r"^api/", api_not_found),
]

# The demo serves uploads itself; in production the reverse proxy serves MEDIA_ROOT.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Our page (or problem details under /api/) for unforeseen errors; 503 for a lost database.
handler500 = server_error
