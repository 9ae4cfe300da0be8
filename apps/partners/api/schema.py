"""The OpenAPI contract: every operation documents the problem answers it can give."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from apps.partners.api.problems import PROBLEM_CONTENT_TYPE


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField()
    message = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField(
        help_text="Stable per kind of problem, e.g. /api/problems/not-found"
    )
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField(required=False)
    instance = serializers.CharField(required=False)
    errors = FieldErrorSerializer(many=True, required=False)


# Answers any partner endpoint may give, whatever it does.
COMMON_PROBLEMS = {
    "401": "Missing, invalid or expired access token.",
    "403": "The token lacks the scope, or the partner the purpose, this needs.",
    "429": "Too many requests: see Retry-After and RateLimit.",
}
BODY_PROBLEMS = {
    "400": "The body or a parameter is not valid.",
    "413": "The body is too large.",
    "415": "The body is not JSON.",
}


class PartnerAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response" or not getattr(self.view, "required_scopes", None):
            return responses
        problems = dict(COMMON_PROBLEMS)
        if self.method in ("POST", "PUT", "PATCH") or self._get_parameters():
            problems |= BODY_PROBLEMS
        problems["404"] = "No such resource is visible to you."
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            problems["422"] = "Understood but refused (a business rule said no)."
        for code, response in responses.items():
            # Whatever a view declares for an error, it is answered as problem details.
            if code >= "400" and "content" in response:
                response["content"] = {
                    PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
                }
        for code, description in problems.items():
            responses.setdefault(
                code,
                self._get_response_for_code(
                    OpenApiResponse(ProblemSerializer, description=description),
                    code,
                    [PROBLEM_CONTENT_TYPE],
                ),
            )
        return responses
