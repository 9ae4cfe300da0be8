"""One policy for every body the partner API takes: fields it does not declare, values of
another JSON type than the field's, and a name given twice are refused with problem details
naming the field, on every endpoint alike (webhook endpoints included)."""

import json
import uuid

import pytest

from apps.partners.models import IdempotencyRecord, WebhookEndpoint
from apps.profiles.models import Profile
from tests.partners.api.endpoints import CONTRACT, concrete, paths, request_schema, resolve

pytestmark = pytest.mark.django_db

BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
OPERATIONS = [
    pytest.param(method.upper(), path, id=f"{method.upper()} {path}")
    for path in paths()
    for method in CONTRACT["paths"][path]
    if method.upper() in BODY_METHODS
]

# Values of every other JSON type than the one the contract names.
WRONG_VALUES = {
    "string": [4711, 4.5, True, ["text"], {"a": "b"}],
    "integer": ["5", True, ["5"], {"a": 5}],
    "number": ["5", False],
    "boolean": ["true", 1, 0],
    "array": ["text", 1, {"a": "b"}],
    "object": ["text", 1, ["a"]],
}


def _type_of(schema: dict) -> str | None:
    schema = resolve(schema)
    kinds = schema.get("type")
    if isinstance(kinds, list):
        kinds = [kind for kind in kinds if kind != "null"]
        kinds = kinds[0] if len(kinds) == 1 else None
    if kinds is None:
        options = [resolve(o) for o in schema.get("oneOf", []) + schema.get("allOf", [])]
        kinds = next((o["type"] for o in options if o.get("type") not in (None, "null")), None)
    return kinds


def _typed_fields() -> list:
    cases = []
    for operation in OPERATIONS:
        method, path = operation.values
        for name, schema in request_schema(method, path).get("properties", {}).items():
            if resolve(schema).get("readOnly"):
                continue
            kind = _type_of(schema)
            for value in WRONG_VALUES.get(kind, []):
                cases.append(
                    pytest.param(method, path, name, value, id=f"{method} {path} {name}={value!r}")
                )
    return cases


def _send(client, method: str, path: str, body: bytes):
    return client.generic(
        method,
        concrete(path),
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
    )


def _fields(response) -> set[str]:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/api/problems/validation-error"
    return {error["field"] for error in body["errors"]}


def test_every_write_operation_is_covered():
    assert {param.values for param in OPERATIONS} >= {
        ("POST", "/api/v1/events/"),
        ("POST", "/api/v1/webhook-endpoints/"),
        ("PATCH", "/api/v1/webhook-endpoints/{endpoint_id}/"),
    }


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_a_field_the_endpoint_does_not_declare_is_refused_by_name(shop, method, path):
    response = _send(shop, method, path, b'{"colour": "blue"}')

    assert "colour" in _fields(response)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_a_name_given_twice_is_refused_by_name(shop, method, path):
    name = next(iter(request_schema(method, path).get("properties", {})), "colour")

    response = _send(shop, method, path, f'{{"{name}": "a", "{name}": "b"}}'.encode())

    assert _fields(response) == {name}


@pytest.mark.parametrize(("method", "path", "name", "value"), _typed_fields())
def test_a_value_of_another_json_type_is_refused_by_name(shop, method, path, name, value):
    response = _send(shop, method, path, json.dumps({name: value}).encode())

    assert name in {field.split(".")[0] for field in _fields(response)}


def test_a_name_twice_inside_event_properties_is_named_with_its_path(shop):
    body = b'{"type": "purchase", "profile": "%s", "properties": {"amount": 1, "amount": 2}}'

    response = _send(shop, "POST", "/api/v1/events/", body % str(uuid.uuid4()).encode())

    assert _fields(response) == {"properties.amount"}


def test_a_number_in_a_list_of_event_types_is_named_with_its_position(shop):
    body = {"url": "https://shop.example/hook", "event_types": ["consent.withdrawn", 7]}

    response = _send(shop, "POST", "/api/v1/webhook-endpoints/", json.dumps(body).encode())

    assert _fields(response) == {"event_types.1"}
    assert not WebhookEndpoint.objects.exists()


def test_a_number_for_a_customer_id_is_refused_not_turned_into_text(shop):
    response = _send(shop, "POST", "/api/v1/profiles/", b'{"external_id": 4711}')

    assert _fields(response) == {"external_id"}
    assert response.json()["errors"][0]["message"] == "Send text."
    assert not Profile.objects.exists()


def test_a_text_for_a_reward_id_is_refused_not_turned_into_a_number(shop):
    body = {"profile": str(uuid.uuid4()), "reward": "7"}

    response = _send(shop, "POST", "/api/v1/redemptions/", json.dumps(body).encode())

    assert _fields(response) == {"reward"}


def test_an_unknown_field_on_a_webhook_update_changes_nothing(shop):
    created = shop.post(
        "/api/v1/webhook-endpoints/",
        {"url": "https://shop.example/hook", "event_types": ["consent.withdrawn"]},
        format="json",
    ).json()

    response = shop.patch(
        f"/api/v1/webhook-endpoints/{created['id']}/",
        {"description": "CRM", "is_activ": False},
        format="json",
    )

    assert _fields(response) == {"is_activ"}
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.description, endpoint.is_active) == ("", True)


def test_errors_are_german_with_accept_language(shop):
    response = shop.generic(
        "POST",
        "/api/v1/profiles/",
        b'{"external_id": "1", "external_id": "2"}',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="de",
    )

    assert response.json()["errors"] == [
        {"field": "external_id", "message": "Dieses Feld ist mehrfach angegeben."}
    ]


def test_a_refused_body_keeps_no_effect_under_its_idempotency_key(shop):
    response = _send(shop, "POST", "/api/v1/events/", b'{"type": "purchase", "type": "x"}')

    assert response.status_code == 400
    assert not IdempotencyRecord.objects.exists()
