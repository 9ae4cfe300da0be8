from django.urls import path

from apps.preferences import views

app_name = "preferences"

urlpatterns = [
    path("me/", views.preference_center, name="center"),
    path("me/preferences/<slug:attribute_key>/", views.preference_save, name="save"),
    path("me/preferences/<slug:attribute_key>/edit/", views.preference_edit, name="edit"),
    path("me/preferences/<slug:attribute_key>/history/", views.preference_history, name="history"),
    path(
        "me/preferences/<int:declaration_id>/still-true/",
        views.preference_still_true,
        name="still-true",
    ),
    path("me/preferences/<int:declaration_id>/delete/", views.preference_forget, name="delete"),
]
