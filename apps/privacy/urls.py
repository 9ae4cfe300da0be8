from django.urls import path

from apps.privacy import views

app_name = "privacy"

urlpatterns = [
    path("me/privacy/", views.privacy_center, name="center"),
    path("me/privacy/export/", views.export_request, name="export"),
    path("me/privacy/export/status/", views.export_status, name="export-status"),
    path("me/privacy/export/<str:token>/", views.export_download, name="export-download"),
    path("me/privacy/delete/", views.erasure_start, name="erase"),
    path("me/privacy/delete/confirm/", views.erasure_confirm, name="erase-confirm"),
    path("me/privacy/delete/started/", views.erasure_started, name="erase-started"),
]
