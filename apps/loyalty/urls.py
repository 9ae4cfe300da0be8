from django.urls import path

from apps.loyalty import views

app_name = "loyalty"

urlpatterns = [
    path("me/points/", views.wallet, name="wallet"),
    path("me/points/rewards/<int:reward_id>/", views.reward_redeem, name="redeem"),
]
