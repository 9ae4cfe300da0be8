from django.urls import include, path

from apps.partners.api import catalog, events, profiles, webhooks

app_name = "api"

urlpatterns = [
    path("", include(profiles)),
    path("", include(events)),
    path("", include(catalog)),
    path("", include(webhooks)),
]
