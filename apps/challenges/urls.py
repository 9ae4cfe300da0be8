from django.urls import path

from apps.challenges import views

app_name = "challenges"

urlpatterns = [
    path("me/challenges/", views.challenges_page, name="page"),
    path("me/challenges/leaderboard/", views.leaderboard_join_view, name="join"),
    path("me/challenges/leaderboard/leave/", views.leaderboard_leave_view, name="leave"),
    path("challenges/<slug:slug>/leaderboard/", views.leaderboard_page, name="leaderboard"),
]
