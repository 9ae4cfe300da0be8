"""What a partner may browse besides single customers: live campaigns, segments with their
members, recommendations, and the feed of changes to its customers."""

from django.db.models import Count, Q, QuerySet
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.pagination import Cursor
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param

from apps.campaigns.models import Campaign
from apps.campaigns.selectors import campaign_list_live
from apps.partners.api.base import IdCursorPagination, PartnerAPIView
from apps.partners.api.problems import ApiProblem
from apps.partners.models import PartnerChange, PartnerClient, Scope
from apps.partners.selectors import partner_readable_purposes, partner_visible_profiles
from apps.personalization.models import Segment
from apps.personalization.rules import PERSONALIZATION, RuleError, rule_purposes
from apps.personalization.selectors import (
    next_best_action,
    recommendations,
    segment_get,
    segment_list,
    segment_profiles,
)
from apps.preferences.models import Attribute
from apps.profiles.models import Profile

# Below this many members a count could point at a single customer.
SEGMENT_MINIMUM_COUNT = 5

# Documented as problem details by apps.partners.api.schema.
PROBLEM = OpenApiTypes.OBJECT
NO_PERSONALIZATION = OpenApiResponse(
    PROBLEM,
    description=(
        "The token lacks segments:read, or you are not allowed the personalization purpose "
        "(type /api/problems/purpose-not-allowed)."
    ),
)
EXAMPLE_PROFILE = "3f0c2a9e-4d1b-4f5e-9a55-0c8b1f2e6d71"


class CampaignSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    kind = serializers.ChoiceField(choices=Campaign.Kind.choices)
    title_de = serializers.CharField()
    title_en = serializers.CharField()
    starts_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)
    url = serializers.SerializerMethodField(help_text="Where customers play it.")

    def get_url(self, campaign: Campaign) -> str:
        return self.context["request"].build_absolute_uri(campaign.get_absolute_url())


class SegmentSerializer(serializers.Serializer):
    key = serializers.SlugField()
    name = serializers.CharField()
    description = serializers.CharField()
    member_count = serializers.IntegerField(
        allow_null=True,
        help_text=(
            "How many of your visible customers are members; null below 5, or when you are "
            "not allowed the personalization purpose."
        ),
    )
    updated_at = serializers.DateTimeField()


class SegmentMemberSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")


class RecommendedOfferSerializer(serializers.Serializer):
    offer = serializers.SlugField(source="offer.key")
    title = serializers.CharField(source="offer.title")
    link = serializers.SerializerMethodField()
    reason = serializers.CharField(source="explanation")
    score = serializers.FloatField()

    def get_link(self, recommendation) -> str:
        link = recommendation.offer.target_url or reverse("personalization:for-you")
        return self.context["request"].build_absolute_uri(link)


class NextActionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["quiz", "reconfirm", "reward", "offer"])
    title = serializers.CharField()
    reason = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, action) -> str:
        return self.context["request"].build_absolute_uri(action.url)


class RecommendationsSerializer(serializers.Serializer):
    profile = serializers.UUIDField()
    recommendations = RecommendedOfferSerializer(many=True)
    next_best_action = NextActionSerializer(allow_null=True)


class ChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=PartnerChange.Kind.choices)
    profile = serializers.UUIDField(source="profile_public_id")
    occurred_at = serializers.DateTimeField()


class ChangeFeedPagination(IdCursorPagination):
    """Oldest first. `next` is given on the last page too, pointing past it, so a partner
    keeps polling one link and hears of each change exactly once."""

    ordering = "id"

    def get_next_link(self) -> str | None:
        if self.has_next:
            return super().get_next_link()
        if self.page:
            last = self._get_position_from_instance(self.page[-1], self.ordering)
            return self.encode_cursor(Cursor(offset=0, reverse=False, position=last))
        if self.cursor is not None and not self.cursor.reverse:
            return self.encode_cursor(self.cursor)
        return remove_query_param(self.base_url, self.cursor_query_param)


def _segment_member_counts(
    *, partner: PartnerClient, segments: list[Segment]
) -> dict[int, int | None]:
    """Members among the partner's visible customers, every segment in one query; a count
    that could single a customer out, or of a rule that no longer compiles, is None."""
    counters = {}
    for segment in segments:
        try:
            members = segment_profiles(segment=segment).values("pk")
        except RuleError:
            continue
        counters[f"segment_{segment.pk}"] = Count("pk", filter=Q(pk__in=members))
    counts = partner_visible_profiles(partner=partner).aggregate(**counters) if counters else {}
    return {
        segment.pk: count
        if (count := counts.get(f"segment_{segment.pk}", 0)) >= SEGMENT_MINIMUM_COUNT
        else None
        for segment in segments
    }


class PersonalizationMixin:
    """Segments and recommendations are computed under `personalization`: a partner not
    allowed that purpose gets no members and no recommendations."""

    def personalization_allowed(self) -> bool:
        return self.partner.allowed_purposes.filter(key=PERSONALIZATION).exists()

    @cached_property
    def _allowed_keys(self) -> set[str]:
        return set(self.partner.allowed_purposes.values_list("key", flat=True))

    @cached_property
    def _purpose_of(self) -> dict[str, str]:
        return dict(Attribute.objects.values_list("key", "purpose__key"))

    def segment_purposes(self, segment: Segment) -> set[str]:
        return rule_purposes(segment.rule, purpose_of=self._purpose_of)

    def segment_purposes_refused(self, segment: Segment) -> set[str]:
        """Purposes a segment's rule reads that this partner is not allowed: its members
        would tell the partner what customers said under them."""
        return self.segment_purposes(segment) - self._allowed_keys

    def require_personalization(self) -> None:
        if not self.personalization_allowed():
            raise ApiProblem(
                status_code=403,
                problem_type="purpose-not-allowed",
                title=_("This purpose is not allowed for you."),
                detail=_(
                    "Segments and recommendations are built from data under the purpose "
                    "“personalization”, which the brand has not allowed for you."
                ),
            )


class CampaignList(PartnerAPIView):
    required_scopes = {"GET": Scope.CAMPAIGNS_READ}
    pagination_class = IdCursorPagination
    serializer_class = CampaignSerializer

    @extend_schema(
        operation_id="campaigns_list",
        summary="Live campaigns, newest first, with the link customers play them at",
        responses={200: CampaignSerializer(many=True)},
        examples=[
            OpenApiExample(
                "A live quiz",
                response_only=True,
                value={
                    "slug": "snack-quiz",
                    "kind": "personality",
                    "title_de": "Welcher Snack-Typ bist du?",
                    "title_en": "Which snack type are you?",
                    "starts_at": "2026-11-01T00:00:00Z",
                    "ends_at": None,
                    "url": "https://resonanz.example/c/snack-quiz/",
                },
            )
        ],
    )
    def get(self, request):
        # The catalogue holds no personal data, so nothing goes to the access log.
        page = self.paginate_queryset(campaign_list_live())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class SegmentList(PersonalizationMixin, PartnerAPIView):
    required_scopes = {"GET": Scope.SEGMENTS_READ}
    pagination_class = IdCursorPagination
    serializer_class = SegmentSerializer

    @extend_schema(
        operation_id="segments_list",
        summary="Segments you can ask the members of",
        responses={200: SegmentSerializer(many=True)},
        examples=[
            OpenApiExample(
                "A segment",
                response_only=True,
                value={
                    "key": "vegan",
                    "name": "Vegan",
                    "description": "Told us they eat vegan.",
                    "member_count": 42,
                    "updated_at": "2026-11-20T03:00:00Z",
                },
            )
        ],
    )
    def get(self, request):
        page = self.paginate_queryset(segment_list())
        counts = {}
        if self.personalization_allowed():
            # A count is a membership figure too: none for segments built on refused purposes.
            countable = [seg for seg in page if not self.segment_purposes_refused(seg)]
            counts = _segment_member_counts(partner=self.partner, segments=countable)
        rows = [
            {
                "key": segment.key,
                "name": segment.name,
                "description": segment.description,
                "member_count": counts.get(segment.pk),
                "updated_at": segment.updated_at,
            }
            for segment in page
        ]
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


class SegmentMembers(PersonalizationMixin, PartnerAPIView):
    required_scopes = {"GET": Scope.SEGMENTS_READ}
    pagination_class = IdCursorPagination
    serializer_class = SegmentMemberSerializer

    @extend_schema(
        operation_id="segments_members",
        summary="Your customers in the segment, by id",
        description=(
            "Only customers who share with partners and granted personalization. Needs the "
            "personalization purpose; each customer returned is shown in their access log."
        ),
        responses={
            200: SegmentMemberSerializer(many=True),
            403: NO_PERSONALIZATION,
            404: OpenApiResponse(PROBLEM, description="There is no segment with this key."),
        },
        examples=[OpenApiExample("A member", response_only=True, value={"id": EXAMPLE_PROFILE})],
    )
    def get(self, request, key):
        segment = segment_get(key=key)
        if segment is None:
            raise ApiProblem(
                status_code=404,
                problem_type="not-found",
                title=_("Not found."),
                detail=_("There is no segment with this key."),
            )
        self.require_personalization()
        refused = self.segment_purposes_refused(segment)
        if refused:
            raise ApiProblem(
                status_code=403,
                problem_type="purpose-not-allowed",
                title=_("This purpose is not allowed for you."),
                detail=_(
                    "This segment is built from data under purposes the brand has not "
                    "allowed for you: %(purposes)s."
                )
                % {"purposes": ", ".join(sorted(refused))},
            )
        page = self.paginate_queryset(self._members(segment))
        self.log_read(
            page, data="segment membership", purposes=sorted(self.segment_purposes(segment))
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _members(self, segment: Segment) -> QuerySet[Profile]:
        visible = partner_visible_profiles(partner=self.partner)
        try:
            return visible.filter(pk__in=segment_profiles(segment=segment).values("pk"))
        except RuleError:
            # A rule that no longer compiles has no members, as on the customer's own pages.
            return visible.none()


class ProfileRecommendations(PersonalizationMixin, PartnerAPIView):
    required_scopes = {"GET": Scope.SEGMENTS_READ}
    serializer_class = RecommendationsSerializer

    @extend_schema(
        operation_id="recommendations_get",
        summary="Offers for the customer and the single best next step, each with its reason",
        description=(
            "Empty while the customer has not granted personalization. Needs the "
            "personalization purpose; the read is shown in the customer's access log."
        ),
        responses={
            200: RecommendationsSerializer,
            403: NO_PERSONALIZATION,
            404: OpenApiResponse(
                PROBLEM, description="No customer with this id is visible to you."
            ),
        },
        examples=[
            OpenApiExample(
                "Recommendations",
                response_only=True,
                value={
                    "profile": EXAMPLE_PROFILE,
                    "recommendations": [
                        {
                            "offer": "vegan-box",
                            "title": "Vegan box",
                            "link": "https://resonanz.example/offers/vegan-box/",
                            "reason": "Because you told us “vegan” for “Diet” in the Snack quiz.",
                            "score": 2.0,
                        }
                    ],
                    "next_best_action": {
                        "kind": "quiz",
                        "title": "Breakfast quiz",
                        "reason": "It asks 3 things you have not told us yet.",
                        "url": "https://resonanz.example/c/breakfast-quiz/",
                    },
                },
            )
        ],
    )
    def get(self, request, profile_id):
        self.require_personalization()
        profile = self.visible_profile(profile_id)
        offers, action = [], None
        # next_best_action() reads answers and points whatever the customer granted: only a
        # customer who granted personalization is profiled for a partner at all.
        readable = partner_readable_purposes(partner=self.partner, profile=profile)
        if PERSONALIZATION in readable.values():
            # Only answers under purposes this partner may read may shape what it is shown.
            allowed = set(readable.values())
            offers = recommendations(profile=profile, purpose_keys=allowed)
            action = next_best_action(profile=profile, purpose_keys=allowed)
            self.log_read([profile], data="recommendations", purposes=sorted(allowed))
        data = {"profile": profile.public_id, "recommendations": offers, "next_best_action": action}
        return Response(self.get_serializer(data).data)


class ChangeFeed(PartnerAPIView):
    required_scopes = {"GET": Scope.PROFILES_READ}
    pagination_class = ChangeFeedPagination
    serializer_class = ChangeSerializer

    @extend_schema(
        operation_id="changes_list",
        summary="What changed for your customers, oldest first",
        description=(
            "Each entry names a change and the customer, never the data: read the resource "
            "(preferences, consents, loyalty) to see it, as far as the customer allows. "
            "Follow `next` to continue: it is given on the last page too, so polling it "
            "returns only what happened since."
        ),
        parameters=[
            OpenApiParameter(
                "kind", str, enum=PartnerChange.Kind.values, description="Only this change."
            )
        ],
        responses={
            200: ChangeSerializer(many=True),
            400: OpenApiResponse(PROBLEM, description="Not a kind of change."),
        },
        examples=[
            OpenApiExample(
                "A declared preference",
                response_only=True,
                value={
                    "id": 1207,
                    "kind": "preference.declared",
                    "profile": EXAMPLE_PROFILE,
                    "occurred_at": "2026-11-20T18:02:11Z",
                },
            )
        ],
    )
    def get(self, request):
        changes = PartnerChange.objects.filter(partner=self.partner)
        kind = request.query_params.get("kind")
        if kind is not None:
            if kind not in PartnerChange.Kind.values:
                raise serializers.ValidationError({"kind": [_("This is not a kind of change.")]})
            changes = changes.filter(kind=kind)
        page = self.paginate_queryset(changes)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


urlpatterns = [
    path("campaigns/", CampaignList.as_view(), name="campaigns"),
    path("segments/", SegmentList.as_view(), name="segments"),
    path("segments/<slug:key>/members/", SegmentMembers.as_view(), name="segment-members"),
    path(
        "recommendations/<uuid:profile_id>/",
        ProfileRecommendations.as_view(),
        name="recommendations",
    ),
    path("changes/", ChangeFeed.as_view(), name="changes"),
]
