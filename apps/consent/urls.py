from django.urls import path

from apps.consent import views

app_name = "consent"

urlpatterns = [
    path("me/consents/", views.consent_center, name="center"),
    path("me/consents/<uuid:receipt_id>/", views.consent_receipt, name="receipt"),
    path(
        "me/consents/<uuid:receipt_id>/receipt.json",
        views.consent_receipt_json,
        name="receipt-json",
    ),
    path(
        "me/consents/<uuid:receipt_id>/receipt.jwt",
        views.consent_receipt_jwt,
        name="receipt-jwt",
    ),
    path("me/consents/<slug:purpose_key>/decide/", views.consent_decision, name="decide"),
    path("consents/confirm/<str:token>/", views.consent_confirm, name="confirm"),
    path(".well-known/gpc.json", views.gpc_json, name="gpc"),
    path(".well-known/consent-receipt-keys.json", views.receipt_keys, name="receipt-keys"),
]
