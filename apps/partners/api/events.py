"""Partner writes: events that earn their customers points, and redemptions of rewards.

Every write needs an Idempotency-Key (see idempotency.py): partners retry on timeouts, and a
retry must never credit or redeem twice.
"""

import math
import re
from datetime import timedelta

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from apps.loyalty.models import Redemption
from apps.loyalty.reasons import PARTNER_PREFIX, LedgerReason
from apps.loyalty.services import redemption_cancel, redemption_create
from apps.partners.api.base import PartnerAPIView, StrictSerializer
from apps.partners.api.idempotency import (
    IDEMPOTENCY_KEY_PARAMETER,
    IDEMPOTENCY_RESPONSES,
    idempotent,
)
from apps.partners.api.problems import ApiProblem
from apps.partners.models import PartnerEventType, Scope
from apps.partners.selectors import (
    partner_linked_profiles,
    partner_redemption_exists,
    partner_visible_profiles,
)
from apps.partners.services import (
    RESERVED_EVENT_FIELDS,
    partner_event_record,
    partner_scoped_key,
)
from apps.profiles.models import Profile

MAX_PROPERTIES = 50
MAX_PROPERTY_TEXT = 500
PROPERTY_KEY = re.compile(r"[a-zA-Z0-9_][-a-zA-Z0-9_]{0,59}")
# Partners' clocks are not ours, but an event cannot have happened much later than now.
FUTURE_LEEWAY = timedelta(minutes=5)
# Ids beyond a bigint are refused as input instead of failing in the database.
MAX_ID = 2**63 - 1
EXAMPLE_PROFILE = "3f0c2a9e-4d1b-4f5e-9a55-0c8b1f2e6d71"


@extend_schema_field(
    {
        "type": "object",
        "maxProperties": MAX_PROPERTIES,
        "propertyNames": {"pattern": f"^{PROPERTY_KEY.pattern}$"},
        "additionalProperties": {
            "type": ["string", "number", "boolean", "null"],
            "maxLength": MAX_PROPERTY_TEXT,
        },
    }
)
class EventPropertiesField(serializers.Field):
    """A small flat object: earning-rule conditions compare its values, webhooks carry it."""

    default_error_messages = {
        "not_object": gettext_lazy("Send an object of names and values."),
        "too_many": gettext_lazy("Send at most {max} properties."),
        "bad_key": gettext_lazy(
            "Property names have 1 to 60 letters, digits, hyphens or underscores: {name}."
        ),
        "reserved": gettext_lazy("{name} is set by us and cannot be a property."),
        "bad_value": gettext_lazy(
            "Property values are text, numbers, true, false or null: {name}."
        ),
        "too_long": gettext_lazy("Property texts have at most {max} characters: {name}."),
    }

    def to_internal_value(self, data) -> dict:
        if not isinstance(data, dict):
            self.fail("not_object")
        if len(data) > MAX_PROPERTIES:
            self.fail("too_many", max=MAX_PROPERTIES)
        for key, value in data.items():
            if not PROPERTY_KEY.fullmatch(key):
                self.fail("bad_key", name=key[:60])
            if key in RESERVED_EVENT_FIELDS:
                self.fail("reserved", name=key)
            if isinstance(value, str):
                if len(value) > MAX_PROPERTY_TEXT:
                    self.fail("too_long", max=MAX_PROPERTY_TEXT, name=key)
            elif isinstance(value, bool) or value is None:
                pass
            elif isinstance(value, int):
                if abs(value) > MAX_ID:
                    self.fail("bad_value", name=key)
            elif not (isinstance(value, float) and math.isfinite(value)):
                self.fail("bad_value", name=key)
        return data

    def to_representation(self, value) -> dict:
        return value


class EventInputSerializer(StrictSerializer):
    type = serializers.SlugField(max_length=60, help_text="An event type, e.g. purchase.")
    profile = serializers.UUIDField(help_text="The customer's id.")
    properties = EventPropertiesField(
        required=False,
        help_text="Up to 50 names with text (≤ 500 characters), number, boolean or null.",
    )
    occurred_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="When it happened; now if left out."
    )

    def validate_occurred_at(self, value):
        if value is not None and value > timezone.now() + FUTURE_LEEWAY:
            raise serializers.ValidationError(_("An event cannot happen in the future."))
        return value

    def unknown_references(self, data: dict) -> dict[str, list[str]]:
        if PartnerEventType.objects.filter(key=data["type"], is_active=True).exists():
            return {}
        return {"type": [_("There is no event type %(type)s.") % {"type": data["type"]}]}


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The event's id.")
    type = serializers.CharField()
    profile = serializers.UUIDField()
    points_credited = serializers.IntegerField(help_text="Points this event earned.")
    balance = serializers.IntegerField(
        allow_null=True,
        help_text="The balance after; null when the customer does not share with partners.",
    )


class RedemptionInputSerializer(StrictSerializer):
    profile = serializers.UUIDField(help_text="The customer's id.")
    reward = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="A reward id.")


class RedemptionCancelInputSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class RedemptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reward = serializers.IntegerField(source="reward_id")
    code = serializers.CharField(help_text="The voucher code to hand to the customer.")
    points = serializers.SerializerMethodField(help_text="Points the reward cost.")
    status = serializers.ChoiceField(choices=Redemption.Status.choices)
    created_at = serializers.DateTimeField()

    def get_points(self, redemption: Redemption) -> int:
        return -redemption.debit.amount


def _not_found(detail: str) -> ApiProblem:
    return ApiProblem(
        status_code=404, problem_type="not-found", title=_("Not found."), detail=detail
    )


class EventCollection(PartnerAPIView):
    required_scopes = {"POST": Scope.EVENTS_WRITE}

    @extend_schema(
        operation_id="events_create",
        summary="Report an event for one of your customers; earning rules credit points",
        description=(
            "Needs the customer linked to you (POST /profiles/), not their sharing consent. "
            "The event earns points once per Idempotency-Key, however often it is sent."
        ),
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=EventInputSerializer,
        responses={201: EventSerializer, **IDEMPOTENCY_RESPONSES},
        examples=[
            OpenApiExample(
                "A purchase",
                request_only=True,
                value={
                    "type": "purchase",
                    "profile": EXAMPLE_PROFILE,
                    "properties": {"order": "A-1001", "amount": 42.5, "channel": "online"},
                    "occurred_at": "2026-11-30T14:05:00Z",
                },
            ),
            OpenApiExample(
                "Points credited",
                response_only=True,
                status_codes=["201"],
                value={
                    "id": 91234,
                    "type": "purchase",
                    "profile": EXAMPLE_PROFILE,
                    "points_credited": 50,
                    "balance": 370,
                },
            ),
        ],
    )
    @idempotent
    def post(self, request, key: str) -> Response:
        data = EventInputSerializer(data=request.data).validated()
        profile = self._linked_profile(data["profile"])
        recorded = partner_event_record(
            partner=self.partner,
            profile=profile,
            event_type=data["type"],
            properties=data.get("properties", {}),
            occurred_at=data.get("occurred_at"),
            idempotency_key=key,
        )
        # The balance is the customer's data: only for those who share with partners.
        shares = partner_visible_profiles(partner=self.partner).filter(pk=profile.pk).exists()
        if shares:
            self.log_read([profile], data="loyalty")
        body = EventSerializer(
            {
                "id": recorded.event.pk,
                "type": recorded.event.name,
                "profile": profile.public_id,
                "points_credited": recorded.points_credited,
                "balance": recorded.balance if shares else None,
            }
        ).data
        return Response(body, status=status.HTTP_201_CREATED)

    def _linked_profile(self, public_id) -> Profile:
        profile = partner_linked_profiles(partner=self.partner).filter(public_id=public_id).first()
        if profile is None:
            raise _not_found(_("No customer with this id is linked to you."))
        return profile


class RedemptionCollection(PartnerAPIView):
    required_scopes = {"POST": Scope.LOYALTY_WRITE}

    @extend_schema(
        operation_id="redemptions_create",
        summary="Redeem a reward for one of your customers with their points",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=RedemptionInputSerializer,
        responses={201: RedemptionSerializer, **IDEMPOTENCY_RESPONSES},
        examples=[
            OpenApiExample(
                "Redeem", request_only=True, value={"profile": EXAMPLE_PROFILE, "reward": 7}
            ),
            OpenApiExample(
                "Redeemed",
                response_only=True,
                status_codes=["201"],
                value={
                    "id": 512,
                    "reward": 7,
                    "code": "K7QX-M3PA-9RTZ",
                    "points": 300,
                    "status": "active",
                    "created_at": "2026-11-30T14:06:12Z",
                },
            ),
        ],
    )
    @idempotent
    def post(self, request, key: str) -> Response:
        data = RedemptionInputSerializer(data=request.data).validated()
        profile = self.visible_profile(data["profile"])
        redemption = redemption_create(
            profile=profile,
            reward_id=data["reward"],
            idempotency_key=partner_scoped_key(partner=self.partner, key=key),
        )
        return Response(RedemptionSerializer(redemption).data, status=status.HTTP_201_CREATED)


class RedemptionCancel(PartnerAPIView):
    required_scopes = {"POST": Scope.LOYALTY_WRITE}

    @extend_schema(
        operation_id="redemptions_cancel",
        summary="Cancel a redemption: the points and the stock come back, the code is void",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=RedemptionCancelInputSerializer,
        responses={200: RedemptionSerializer, **IDEMPOTENCY_RESPONSES},
        examples=[
            OpenApiExample("Cancel", request_only=True, value={"reason": "Order A-1001 returned"}),
            OpenApiExample(
                "Cancelled",
                response_only=True,
                status_codes=["200"],
                value={
                    "id": 512,
                    "reward": 7,
                    "code": "K7QX-M3PA-9RTZ",
                    "points": 300,
                    "status": "cancelled",
                    "created_at": "2026-11-30T14:06:12Z",
                },
            ),
        ],
    )
    @idempotent
    def post(self, request, key: str, redemption_id: int) -> Response:
        data = RedemptionCancelInputSerializer(data=request.data).validated()
        if redemption_id > MAX_ID or not partner_redemption_exists(
            partner=self.partner, redemption_id=redemption_id
        ):
            raise _not_found(_("No redemption with this id is visible to you."))
        redemption = redemption_cancel(
            redemption_id=redemption_id,
            reason=data["reason"] or LedgerReason.CANCELLED_BY_PARTNER,
            source_ref=f"{PARTNER_PREFIX}{self.partner.key}",
        )
        return Response(RedemptionSerializer(redemption).data)


urlpatterns = [
    path("events/", EventCollection.as_view(), name="events"),
    path("redemptions/", RedemptionCollection.as_view(), name="redemptions"),
    path(
        "redemptions/<int:redemption_id>/cancel/",
        RedemptionCancel.as_view(),
        name="redemption-cancel",
    ),
]
