from django.urls import path

from apps.profiles import views

app_name = "profiles"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/sent/", views.sign_in_sent, name="sign-in-sent"),
    path("sign-in/link/<str:token>/", views.sign_in_link, name="sign-in-link"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("sign-out/everywhere/", views.sign_out_everywhere, name="sign-out-everywhere"),
]
