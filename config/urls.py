from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

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
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path(
        "api/v1/schema/",
        SpectacularAPIView.as_view(permission_classes=[AllowAny], authentication_classes=[]),
        name="api-schema",
    ),
]

# The demo serves uploads itself; in production the reverse proxy serves MEDIA_ROOT.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
