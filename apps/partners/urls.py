from django.urls import path

from apps.partners import views

app_name = "partners"

urlpatterns = [
    path("embed/", views.embed_entry, name="embed"),
]
