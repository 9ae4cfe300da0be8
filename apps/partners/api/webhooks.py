"""Webhook endpoints a partner manages for itself, and the log of what was sent to them.

Messages follow Standard Webhooks: `webhook-id`, `webhook-timestamp` and `webhook-signature`
headers, HMAC-SHA256 with the endpoint's `whsec_` secret. The secret appears only in the
answers to create and rotate-secret.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from apps.partners.api.base import (
    IdCursorPagination,
    NoInputSerializer,
    PartnerAPIView,
    StrictSerializer,
)
from apps.partners.api.problems import ApiProblem
from apps.partners.models import PartnerChange, Scope, WebhookDelivery, WebhookEndpoint
from apps.partners.selectors import (
    webhook_delivery_get,
    webhook_delivery_list,
    webhook_endpoint_get,
    webhook_endpoint_list,
)
from apps.partners.services.webhook_delivery import webhook_delivery_replay
from apps.partners.services.webhook_endpoints import (
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
    webhook_secret_rotate,
)

EXAMPLE_ENDPOINT = {
    "id": "7d7b1c1e-5d0a-4c43-9f63-2f1a8e0c9b11",
    "url": "https://shop.example/hooks/resonanz",
    "event_types": ["preference.declared", "consent.withdrawn"],
    "description": "Shop CRM",
    "is_active": True,
    "disabled_reason": "",
    "failing_since": None,
    "created_at": "2026-11-20T10:00:00Z",
    "updated_at": "2026-11-20T10:00:00Z",
}
EXAMPLE_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw2K8hE6ZOEQA="
EXAMPLE_DELIVERY = {
    "id": "0b9e8d2c-3a71-4f0e-8c55-61f1d2a7e4b3",
    "message_id": "msg_5f0c2a9e4d1b4f5e9a550c8b1f2e6d71",
    "event_type": "preference.declared",
    "status": "pending",
    "attempts": 1,
    "next_attempt_at": "2026-11-20T10:00:06Z",
    "last_attempt_at": "2026-11-20T10:00:01Z",
    "last_status_code": 503,
    "last_error": "HTTP 503",
    "created_at": "2026-11-20T10:00:00Z",
}


class EventTypeField(serializers.ChoiceField):
    def __init__(self, **kwargs) -> None:
        super().__init__(choices=PartnerChange.Kind.choices, **kwargs)


class EventTypeFieldSchema(OpenApiSerializerFieldExtension):
    """One `WebhookEventType` component for every field naming an event type, so the schema
    has a single enum for webhooks however the fields are called."""

    target_class = EventTypeField

    def map_serializer_field(self, auto_schema, direction) -> dict:
        component = ResolvedComponent(
            name="WebhookEventType",
            type=ResolvedComponent.SCHEMA,
            object="WebhookEventType",
            schema={"type": "string", "enum": list(PartnerChange.Kind.values)},
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class WebhookEndpointSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    url = serializers.URLField()
    event_types = serializers.ListField(child=EventTypeField())
    description = serializers.CharField()
    is_active = serializers.BooleanField()
    disabled_reason = serializers.CharField(
        help_text="Why we stopped sending (410 Gone, or five days of failures); empty if on."
    )
    failing_since = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class WebhookEndpointSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        help_text="Verifies webhook-signature. Shown only now: store it safely."
    )


class WebhookEndpointInputSerializer(StrictSerializer):
    url = serializers.URLField(max_length=500, help_text="https, on a host with a public address.")
    event_types = serializers.ListField(
        child=EventTypeField(),
        allow_empty=False,
        max_length=len(PartnerChange.Kind.values),
    )
    description = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True
    )


class WebhookEndpointUpdateSerializer(WebhookEndpointInputSerializer):
    url = serializers.URLField(max_length=500, required=False)
    event_types = serializers.ListField(
        child=EventTypeField(),
        allow_empty=False,
        max_length=len(PartnerChange.Kind.values),
        required=False,
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(
        required=False, help_text="true switches a disabled endpoint on again."
    )


class WebhookDeliverySerializer(serializers.Serializer):
    """The log leaves the payload out: what a customer has since stopped sharing must not
    remain readable here."""

    id = serializers.UUIDField(source="public_id")
    message_id = serializers.CharField(help_text="The webhook-id header; equal across replays.")
    event_type = EventTypeField()
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices)
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    created_at = serializers.DateTimeField()


def _validation_problem(error: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError({"non_field_errors": error.messages})


def _not_found(detail: str) -> ApiProblem:
    return ApiProblem(
        status_code=404, problem_type="not-found", title=_("Not found."), detail=detail
    )


class WebhookAPIView(PartnerAPIView):
    required_scopes = dict.fromkeys(("GET", "POST", "PATCH", "DELETE"), Scope.WEBHOOKS_MANAGE)

    def endpoint(self, endpoint_id) -> WebhookEndpoint:
        """The partner's own endpoint; another partner's id answers like one that does not
        exist."""
        endpoint = webhook_endpoint_get(partner=self.partner, public_id=endpoint_id)
        if endpoint is None:
            raise _not_found(_("No webhook endpoint with this id is yours."))
        return endpoint


class WebhookEndpointCollection(WebhookAPIView):
    @extend_schema(
        operation_id="webhook_endpoints_list",
        summary="Your webhook endpoints",
        responses={200: WebhookEndpointSerializer(many=True)},
        examples=[OpenApiExample("Endpoints", response_only=True, value=EXAMPLE_ENDPOINT)],
    )
    def get(self, request):
        endpoints = webhook_endpoint_list(partner=self.partner)
        return Response(WebhookEndpointSerializer(endpoints, many=True).data)

    @extend_schema(
        operation_id="webhook_endpoints_create",
        summary="Add an endpoint; the answer holds its signing secret, shown only this once",
        request=WebhookEndpointInputSerializer,
        responses={201: WebhookEndpointSecretSerializer},
        examples=[
            OpenApiExample(
                "New endpoint",
                request_only=True,
                value={
                    "url": "https://shop.example/hooks/resonanz",
                    "event_types": ["preference.declared", "consent.withdrawn"],
                    "description": "Shop CRM",
                },
            ),
            OpenApiExample(
                "Created",
                response_only=True,
                status_codes=["201"],
                value={**EXAMPLE_ENDPOINT, "secret": EXAMPLE_SECRET},
            ),
        ],
    )
    def post(self, request):
        serializer = WebhookEndpointInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            endpoint = webhook_endpoint_create(partner=self.partner, **serializer.validated_data)
        except DjangoValidationError as error:
            raise _validation_problem(error) from None
        return Response(
            WebhookEndpointSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED
        )


class WebhookEndpointDetail(WebhookAPIView):
    @extend_schema(
        operation_id="webhook_endpoints_get",
        summary="One of your endpoints",
        responses={200: WebhookEndpointSerializer},
        examples=[OpenApiExample("Endpoint", response_only=True, value=EXAMPLE_ENDPOINT)],
    )
    def get(self, request, endpoint_id):
        return Response(WebhookEndpointSerializer(self.endpoint(endpoint_id)).data)

    @extend_schema(
        operation_id="webhook_endpoints_update",
        summary="Change the URL, event types or description, or switch the endpoint on or off",
        request=WebhookEndpointUpdateSerializer,
        responses={200: WebhookEndpointSerializer},
        examples=[
            OpenApiExample("Switch on again", request_only=True, value={"is_active": True}),
            OpenApiExample("Updated", response_only=True, value=EXAMPLE_ENDPOINT),
        ],
    )
    def patch(self, request, endpoint_id):
        serializer = WebhookEndpointUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        endpoint = self.endpoint(endpoint_id)
        try:
            endpoint = webhook_endpoint_update(endpoint=endpoint, **serializer.validated_data)
        except DjangoValidationError as error:
            raise _validation_problem(error) from None
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(
        operation_id="webhook_endpoints_delete",
        summary="Remove an endpoint and its delivery log",
        responses={204: OpenApiResponse(description="Removed.")},
    )
    def delete(self, request, endpoint_id):
        NoInputSerializer(data=request.data).validated()
        webhook_endpoint_delete(endpoint=self.endpoint(endpoint_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookEndpointRotateSecret(WebhookAPIView):
    @extend_schema(
        operation_id="webhook_endpoints_rotate_secret",
        summary="New signing secret; the old one keeps signing alongside it for 24 hours",
        description=(
            "For a day each message carries two signatures (space-separated in "
            "webhook-signature), so receivers holding either secret accept it."
        ),
        request=None,
        responses={200: WebhookEndpointSecretSerializer},
        examples=[
            OpenApiExample(
                "Rotated", response_only=True, value={**EXAMPLE_ENDPOINT, "secret": EXAMPLE_SECRET}
            )
        ],
    )
    def post(self, request, endpoint_id):
        NoInputSerializer(data=request.data).validated()
        endpoint = webhook_secret_rotate(endpoint=self.endpoint(endpoint_id))
        return Response(WebhookEndpointSecretSerializer(endpoint).data)


class WebhookEndpointDeliveries(WebhookAPIView):
    pagination_class = IdCursorPagination
    serializer_class = WebhookDeliverySerializer

    @extend_schema(
        operation_id="webhook_endpoints_deliveries",
        summary="What was sent to the endpoint and how it went, newest first",
        responses={200: WebhookDeliverySerializer(many=True)},
        examples=[
            OpenApiExample(
                "Deliveries",
                response_only=True,
                value=EXAMPLE_DELIVERY,
            )
        ],
    )
    def get(self, request, endpoint_id):
        deliveries = webhook_delivery_list(endpoint=self.endpoint(endpoint_id))
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)


class WebhookDeliveryReplay(WebhookAPIView):
    @extend_schema(
        operation_id="webhook_deliveries_replay",
        summary="Send a message again, with the same webhook-id",
        description=(
            "Refused (422) when the endpoint is off, or when the customer no longer shares "
            "the data in it."
        ),
        request=None,
        responses={202: WebhookDeliverySerializer},
        examples=[
            OpenApiExample(
                "Queued",
                response_only=True,
                status_codes=["202"],
                value={
                    **EXAMPLE_DELIVERY,
                    "status": "pending",
                    "attempts": 0,
                    "last_attempt_at": None,
                    "last_status_code": None,
                    "last_error": "",
                },
            )
        ],
    )
    def post(self, request, delivery_id):
        NoInputSerializer(data=request.data).validated()
        delivery = webhook_delivery_get(partner=self.partner, public_id=delivery_id)
        if delivery is None:
            raise _not_found(_("No webhook delivery with this id is yours."))
        replay = webhook_delivery_replay(delivery=delivery)
        return Response(WebhookDeliverySerializer(replay).data, status=status.HTTP_202_ACCEPTED)


urlpatterns = [
    path("webhook-endpoints/", WebhookEndpointCollection.as_view(), name="webhook-endpoints"),
    path(
        "webhook-endpoints/<uuid:endpoint_id>/",
        WebhookEndpointDetail.as_view(),
        name="webhook-endpoint",
    ),
    path(
        "webhook-endpoints/<uuid:endpoint_id>/rotate-secret/",
        WebhookEndpointRotateSecret.as_view(),
        name="webhook-endpoint-rotate-secret",
    ),
    path(
        "webhook-endpoints/<uuid:endpoint_id>/deliveries/",
        WebhookEndpointDeliveries.as_view(),
        name="webhook-endpoint-deliveries",
    ),
    path(
        "webhook-deliveries/<uuid:delivery_id>/replay/",
        WebhookDeliveryReplay.as_view(),
        name="webhook-delivery-replay",
    ),
]
