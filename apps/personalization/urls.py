from django.urls import path

from apps.personalization import views

app_name = "personalization"

urlpatterns = [
    path("me/for-you/", views.for_you, name="for-you"),
    path("me/for-you/settings/", views.offer_settings, name="settings"),
    path("me/for-you/<slug:key>/not-interested/", views.offer_not_interested, name="dismiss"),
]
