"""Customers as a partner sees them: lookup, linking, and consent-bound reads."""

import hashlib
import json

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from apps.consent.models import ConsentState
from apps.core.exceptions import ApplicationError
from apps.loyalty.reasons import LedgerReasonCode, ledger_reasons_code
from apps.loyalty.selectors import account_for_profile, upcoming_expiry
from apps.partners.api.base import IdCursorPagination, PartnerAPIView, StrictSerializer
from apps.partners.api.problems import ApiProblem
from apps.partners.models import Scope
from apps.partners.selectors import (
    partner_consent_states,
    partner_ledger_entries,
    partner_readable_purposes,
    partner_visible_profiles,
)
from apps.partners.services import partner_link_customer
from apps.preferences.selectors import declaration_list_usable
from apps.profiles.identifiers import external_id_normalise
from apps.profiles.models import Identifier, Profile


class ProfileSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField()
    external_id = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()


class ProfileLinkSerializer(StrictSerializer):
    external_id = serializers.CharField(max_length=200, help_text="Your id for this customer.")


class ProfileLinkedSerializer(serializers.Serializer):
    """Only what the partner already knows and our id for it: whether the customer shares
    anything is for the reads to say."""

    id = serializers.UUIDField(source="public_id")
    external_id = serializers.CharField()


class PreferenceSerializer(serializers.Serializer):
    attribute = serializers.CharField(source="attribute.key")
    value = serializers.JSONField()
    purpose = serializers.CharField(source="attribute.purpose.key")
    source = serializers.CharField()
    source_label = serializers.CharField()
    declared_at = serializers.DateTimeField()
    confirmed_at = serializers.DateTimeField()
    is_stale = serializers.BooleanField()


class ConsentSerializer(serializers.Serializer):
    purpose = serializers.CharField(source="purpose.key")
    status = serializers.ChoiceField(
        choices=[status for status, _label in ConsentState.Status.choices],
        help_text=(
            "granted: data under the purpose may be used. pending: agreed, waiting for the "
            "customer to confirm by e-mail. refused: said no without having agreed before. "
            "withdrawn: took back a yes; anything received under it must no longer be used. "
            "Only granted allows use. Until refused was added, a first no was reported as "
            "withdrawn."
        ),
    )
    version = serializers.IntegerField(source="version.version")
    updated_at = serializers.DateTimeField()


class ExpirySerializer(serializers.Serializer):
    points = serializers.IntegerField()
    on = serializers.DateField()


class LoyaltySerializer(serializers.Serializer):
    balance = serializers.IntegerField()
    lifetime_earned = serializers.IntegerField()
    tier = serializers.CharField(allow_null=True)
    next_expiry = ExpirySerializer(allow_null=True)


class LedgerEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    amount = serializers.IntegerField()
    kind = serializers.CharField()
    reason_code = serializers.ChoiceField(
        choices=LedgerReasonCode.choices,
        help_text="Why the points moved, as a stable code to act on.",
    )
    # Never a note staff typed: those read as a generic label (apps/loyalty/reasons.py).
    reason = serializers.CharField(
        source="reason_told",
        help_text="Why the points moved, in English words (an earning rule's or reward's "
        "name, or a generic label). Free text to show, not to parse.",
    )
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)


def etag_for(data) -> str:
    body = json.dumps(data, sort_keys=True, default=str).encode()
    return f'"{hashlib.sha256(body).hexdigest()[:32]}"'


def conditional_response(request, data) -> Response:
    """A single resource with its ETag; 304 when the partner's copy is current."""
    tag = etag_for(data)
    if tag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
    return Response(data, headers={"ETag": tag})


def _profile_data(profile: Profile, external_id: str | None) -> dict:
    return ProfileSerializer(
        {
            "public_id": profile.public_id,
            "kind": profile.kind,
            "external_id": external_id,
            "created_at": profile.created_at,
        }
    ).data


class ProfileCollection(PartnerAPIView):
    required_scopes = {"GET": Scope.PROFILES_READ, "POST": Scope.PROFILES_WRITE}

    @extend_schema(
        operation_id="profiles_lookup",
        summary="Find one of your customers by your id or by e-mail hash",
        parameters=[
            OpenApiParameter("external_id", str, description="Your id for the customer."),
            OpenApiParameter(
                "email_sha256",
                str,
                description="SHA-256 (hex) of the trimmed, lower-case e-mail address.",
            ),
        ],
        responses={200: ProfileSerializer},
        examples=[
            OpenApiExample(
                "A customer",
                response_only=True,
                value={
                    "id": "3f0c2a9e-4d1b-4f5e-9a55-0c8b1f2e6d71",
                    "kind": "member",
                    "external_id": "4711",
                    "created_at": "2026-11-01T09:30:00Z",
                },
            )
        ],
    )
    def get(self, request):
        external_id = request.query_params.get("external_id")
        digest = request.query_params.get("email_sha256")
        if (external_id is None) == (digest is None):
            raise serializers.ValidationError(
                {"external_id": [_("Give exactly one of external_id and email_sha256.")]}
            )
        profiles = partner_visible_profiles(partner=self.partner)
        if external_id is not None:
            try:
                external_id = external_id_normalise(external_id)
            except ApplicationError:
                raise serializers.ValidationError(
                    {"external_id": [_("This is not a valid customer id.")]}
                ) from None
            profiles = profiles.filter(
                identifiers__kind=Identifier.Kind.EXTERNAL,
                identifiers__namespace=self.partner.key,
                identifiers__value=external_id,
            )
        else:
            digest = digest.strip().lower()
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                raise serializers.ValidationError(
                    {"email_sha256": [_("Give 64 hexadecimal characters.")]}
                )
            profiles = profiles.filter(
                identifiers__kind=Identifier.Kind.EMAIL, identifiers__value_sha256=digest
            )
        profile = profiles.first()
        if profile is None:
            raise ApiProblem(
                status_code=404,
                problem_type="not-found",
                title=_("Not found."),
                detail=_("No customer with this id is visible to you."),
            )
        self.log_read([profile], data="profile")
        return Response(_profile_data(profile, self._external_id(profile)))

    @extend_schema(
        operation_id="profiles_link",
        summary="Link one of your customers (made if new)",
        request=ProfileLinkSerializer,
        responses={200: ProfileLinkedSerializer, 201: ProfileLinkedSerializer},
        examples=[OpenApiExample("Link", request_only=True, value={"external_id": "4711"})],
    )
    def post(self, request):
        serializer = ProfileLinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            external_id = external_id_normalise(serializer.validated_data["external_id"])
        except ApplicationError:
            raise serializers.ValidationError(
                {"external_id": [_("This is not a valid customer id.")]}
            ) from None
        profile, created = partner_link_customer(partner=self.partner, external_id=external_id)
        return Response(
            ProfileLinkedSerializer(
                {"public_id": profile.public_id, "external_id": external_id}
            ).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def _external_id(self, profile: Profile) -> str | None:
        return _external_id(self.partner, profile)


def _external_id(partner, profile: Profile) -> str | None:
    return (
        Identifier.objects.filter(
            profile=profile, kind=Identifier.Kind.EXTERNAL, namespace=partner.key
        )
        .values_list("value", flat=True)
        .first()
    )


class ProfileDetail(PartnerAPIView):
    required_scopes = {"GET": Scope.PROFILES_READ}

    @extend_schema(operation_id="profiles_get", responses={200: ProfileSerializer})
    def get(self, request, profile_id):
        profile = self.visible_profile(profile_id)
        self.log_read([profile], data="profile")
        return conditional_response(
            request, _profile_data(profile, _external_id(self.partner, profile))
        )


class ProfilePreferences(PartnerAPIView):
    required_scopes = {"GET": Scope.PREFERENCES_READ}

    @extend_schema(
        operation_id="profiles_preferences",
        summary="What the customer told the brand, under purposes you may read",
        responses={200: PreferenceSerializer(many=True)},
        examples=[
            OpenApiExample(
                "Preferences",
                response_only=True,
                value=[
                    {
                        "attribute": "diet",
                        "value": "vegan",
                        "purpose": "personalization",
                        "source": "quiz",
                        "source_label": "Snack quiz",
                        "declared_at": "2026-11-20T18:02:11Z",
                        "confirmed_at": "2026-11-20T18:02:11Z",
                        "is_stale": False,
                    }
                ],
            )
        ],
    )
    def get(self, request, profile_id):
        profile = self.visible_profile(profile_id)
        purposes = partner_readable_purposes(partner=self.partner, profile=profile)
        declarations = list(
            declaration_list_usable(profile_ids=[profile.pk])
            .filter(attribute__purpose_id__in=list(purposes))
            .select_related("attribute__purpose")
            .order_by("attribute__key")
        )
        if declarations:
            read_under = sorted({d.attribute.purpose.key for d in declarations})
            self.log_read([profile], data="preferences", purposes=read_under)
        return conditional_response(request, PreferenceSerializer(declarations, many=True).data)


class ProfileConsents(PartnerAPIView):
    required_scopes = {"GET": Scope.CONSENTS_READ}

    @extend_schema(
        operation_id="profiles_consents",
        summary="The customer's decisions on the purposes you are allowed",
        responses={200: ConsentSerializer(many=True)},
    )
    def get(self, request, profile_id):
        profile = self.visible_profile(profile_id)
        states = partner_consent_states(partner=self.partner, profile=profile)
        self.log_read([profile], data="consents")
        return conditional_response(request, ConsentSerializer(states, many=True).data)


class ProfileLoyalty(PartnerAPIView):
    required_scopes = {"GET": Scope.LOYALTY_READ}

    @extend_schema(
        operation_id="profiles_loyalty",
        summary="Balance, tier and the next points to expire",
        responses={200: LoyaltySerializer},
        examples=[
            OpenApiExample(
                "Loyalty",
                response_only=True,
                value={
                    "balance": 320,
                    "lifetime_earned": 900,
                    "tier": "silver",
                    "next_expiry": {"points": 40, "on": "2027-03-31"},
                },
            )
        ],
    )
    def get(self, request, profile_id):
        profile = self.visible_profile(profile_id)
        account = account_for_profile(profile=profile)
        expiry = upcoming_expiry(account=account)
        data = LoyaltySerializer(
            {
                "balance": account.balance if account else 0,
                "lifetime_earned": account.lifetime_earned if account else 0,
                "tier": account.tier.key if account and account.tier else None,
                "next_expiry": expiry and {"points": expiry.points, "on": expiry.on},
            }
        ).data
        self.log_read([profile], data="loyalty")
        return conditional_response(request, data)


class ProfileLedger(PartnerAPIView):
    required_scopes = {"GET": Scope.LOYALTY_READ}
    pagination_class = IdCursorPagination
    serializer_class = LedgerEntrySerializer

    @extend_schema(
        operation_id="profiles_ledger",
        summary="Points in and out, newest first",
        responses={200: LedgerEntrySerializer(many=True)},
    )
    def get(self, request, profile_id):
        profile = self.visible_profile(profile_id)
        entries = partner_ledger_entries(profile=profile)
        page = ledger_reasons_code(self.paginate_queryset(entries))
        self.log_read([profile], data="ledger")
        return self.get_paginated_response(LedgerEntrySerializer(page, many=True).data)


urlpatterns = [
    path("profiles/", ProfileCollection.as_view(), name="profiles"),
    path("profiles/<uuid:profile_id>/", ProfileDetail.as_view(), name="profile"),
    path(
        "profiles/<uuid:profile_id>/preferences/",
        ProfilePreferences.as_view(),
        name="profile-preferences",
    ),
    path(
        "profiles/<uuid:profile_id>/consents/", ProfileConsents.as_view(), name="profile-consents"
    ),
    path("profiles/<uuid:profile_id>/loyalty/", ProfileLoyalty.as_view(), name="profile-loyalty"),
    path("profiles/<uuid:profile_id>/ledger/", ProfileLedger.as_view(), name="profile-ledger"),
]
