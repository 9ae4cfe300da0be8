from django.urls import path

from apps.partners import views

app_name = "partners"

urlpatterns = [
    path("embed/", views.embed_entry, name="embed"),
    # Served only under /embed/ (the framed pages' own stylesheet).
    path("theme.css", views.embed_theme, name="embed-theme"),
]
