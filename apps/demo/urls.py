from django.urls import path

from apps.demo import views

app_name = "demo"
urlpatterns = [
    path("demo/shop/", views.demo_shop, name="shop"),
]
