"""What every partner endpoint shares: scopes per method, rate-limit headers, access logging."""

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import MethodNotAllowed, NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import CursorPagination

from apps.audit.services import access_log_record
from apps.partners.api.json_types import json_type_errors
from apps.partners.api.problems import ApiProblem
from apps.partners.api.ratelimit import rate_limit_headers
from apps.partners.models import PartnerClient
from apps.partners.selectors import partner_profile_get
from apps.profiles.models import Profile


class PartnerAPIView(GenericAPIView):
    # {"GET": "profiles:read", ...}; a method the view answers but does not name here is
    # refused with 403, a method it does not answer with 405.
    required_scopes: dict[str, str] = {}

    @property
    def partner(self) -> PartnerClient:
        return self.request.auth.partner

    @property
    def allowed_methods(self) -> list[str]:
        # OPTIONS would describe the API a second way (see DEFAULT_METADATA_CLASS): not offered.
        return [method for method in super().allowed_methods if method != "OPTIONS"]

    def initial(self, request, *args, **kwargs) -> None:
        # Which methods an address answers is no secret of the caller's: a wrong method is
        # 405 with `Allow`, before the token (401), its scopes (403) or the rate limit.
        if request.method not in self.allowed_methods:
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in rate_limit_headers(request).items():
            response[name] = value
        return response

    def visible_profile(self, public_id) -> Profile:
        """The partner's customer, or 404: another partner's ids and customers who do not
        share with partners answer exactly like ids that do not exist."""
        profile = partner_profile_get(partner=self.partner, public_id=public_id)
        if profile is None:
            raise ApiProblem(
                status_code=404,
                problem_type="not-found",
                title=_("Not found."),
                detail=_("No customer with this id is visible to you."),
            )
        return profile

    def log_read(
        self, profiles: Iterable[Profile], *, data: str, purpose: str = "", purposes=()
    ) -> None:
        """Every read of a person's data by a partner leaves a row the customer can see."""
        access_log_record(
            profiles=profiles,
            data_category=data,
            partner_name=self.partner.name,
            purpose_key=purpose,
            purpose_keys=purposes,
        )


class UnprocessableInput(serializers.ValidationError):
    """Well-formed input that names something we do not know: 422 rather than 400."""

    status_code = 422


# Input serializers refuse fields they do not declare and values of another JSON type than
# the field's: a misspelt optional field would otherwise be dropped, and "5" taken for 5,
# without the partner ever noticing. (A comment, not a docstring: the schema would give every
# input the same description.)
class StrictSerializer(serializers.Serializer):
    def to_internal_value(self, data):
        refused = {}
        if isinstance(data, Mapping):
            writable = {name: field for name, field in self.fields.items() if not field.read_only}
            for name in sorted(data, key=str):
                if name in writable:
                    refused |= json_type_errors(writable[name], data[name], str(name))
                else:
                    refused[str(name)] = [_("This field is not expected.")]
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if refused and isinstance(error.detail, dict):
                # A value of the wrong type is named once, as such, not also by the field.
                named = {name.split(".")[0] for name in refused}
                kept = {k: v for k, v in error.detail.items() if str(k) not in named}
                raise serializers.ValidationError({**kept, **refused}) from None
            raise
        if refused:
            raise serializers.ValidationError(refused)
        return value

    def unknown_references(self, data: dict) -> dict[str, list[str]]:
        """Errors for valid input naming what does not exist, e.g. an inactive event type."""
        return {}

    def validated(self) -> dict:
        self.is_valid(raise_exception=True)
        errors = self.unknown_references(self.validated_data)
        if errors:
            raise UnprocessableInput(errors)
        return self.validated_data


class NoInputSerializer(StrictSerializer):
    """For writes that take no body: anything sent is refused rather than ignored."""


class IdCursorPagination(CursorPagination):
    """Stable pages over a growing list: newest first by id, opaque cursor, 1-100 per page."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 100

    def decode_cursor(self, request):
        # A cursor names a position by id; anything else was not made by us.
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            try:
                int(cursor.position)
            except (TypeError, ValueError):
                raise NotFound(self.invalid_cursor_message) from None
        return cursor
