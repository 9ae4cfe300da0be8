from django.conf import settings
from django.urls import include, path

from apps.campaigns import test_play, views

player = [
    path("c/<slug:slug>/", views.campaign_intro, name="intro"),
    path("c/<slug:slug>/start/", views.campaign_start, name="start"),
    path("c/<slug:slug>/theme.css", views.campaign_theme, name="theme"),
    path("c/<slug:slug>/preview/", views.campaign_preview, name="preview"),
    path("c/<slug:slug>/card/<slug:outcome_key>.png", views.campaign_share_card, name="card"),
    path("c/<slug:slug>/q/<int:number>/", views.question_show, name="question"),
    path("c/<slug:slug>/q/<int:number>/answer/", views.question_answer, name="answer"),
    path("c/<slug:slug>/result/", views.campaign_result, name="result"),
    path("c/<slug:slug>/votes/", views.campaign_poll_results, name="poll"),
    path("c/<slug:slug>/finish/", views.campaign_finish, name="finish"),
    path("c/<slug:slug>/done/", views.campaign_done, name="done"),
    path("c/<slug:slug>/withhold/<int:attribute_id>/", views.answer_withhold, name="withhold"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("", include((player, "campaigns"))),
    # The same player for staff, as their test customer, in the admin's preview.
    *[
        path(
            f"preview/{code}/",
            include((player, "campaigns"), namespace=test_play.preview_namespace(code)),
        )
        for code, _name in settings.LANGUAGES
    ],
    path("preview/reset/", test_play.test_customer_reset, name="test-customer-reset"),
]
