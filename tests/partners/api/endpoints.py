"""Every operation of the partner API, read from the contract (openapi.json) and the URL
patterns, so a test over "every endpoint" cannot forget one added later."""

import json
import re
import uuid
from pathlib import Path

from django.urls import URLPattern, URLResolver

from apps.partners.api import urls as api_urls

CONTRACT = json.loads(Path(__file__).with_name("openapi.json").read_text())
PREFIX = "/api/v1/"
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")
WRITE_METHODS = ("POST", "PUT", "PATCH")

# A value of the right shape for each path parameter: lookups find nothing, which is fine for
# tests of what is refused before any lookup.
_SAMPLES = {"uuid": str(uuid.UUID(int=1)), "int": "1", "slug": "sample", "str": "sample"}


def _routes(patterns, prefix: str = "") -> list[str]:
    routes = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            routes += _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            routes.append(prefix + str(pattern.pattern))
    return routes


def url_routes() -> list[str]:
    """The API's URL patterns in the contract's spelling: profiles/{profile_id}/."""
    return [
        PREFIX + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        for route in _routes(api_urls.urlpatterns)
    ]


def concrete(path: str) -> str:
    """A path of the contract with a sample value for each parameter."""
    operations = CONTRACT["paths"][path].values()
    kinds = {}
    for operation in operations:
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                schema = parameter["schema"]
                kind = "uuid" if schema.get("format") == "uuid" else schema["type"]
                kinds[parameter["name"]] = {"integer": "int", "string": "str"}.get(kind, kind)
    return re.sub(r"\{(\w+)\}", lambda m: _SAMPLES[kinds.get(m.group(1), "str")], path)


def documented_methods(path: str) -> set[str]:
    methods = {method.upper() for method in CONTRACT["paths"][path]}
    return methods | ({"HEAD"} if "GET" in methods else set())


def paths() -> list[str]:
    return [path for path in CONTRACT["paths"] if path.startswith(PREFIX)]


def write_operations() -> list[tuple[str, str]]:
    """(method, path) of every operation that takes a body."""
    return [
        (method.upper(), path)
        for path in paths()
        for method in CONTRACT["paths"][path]
        if method.upper() in WRITE_METHODS
    ]


def request_schema(method: str, path: str) -> dict:
    """The JSON schema of the operation's body, references resolved; {} without a body."""
    operation = CONTRACT["paths"][path][method.lower()]
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    return resolve(schema)


def resolve(schema: dict) -> dict:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return resolve(CONTRACT["components"]["schemas"][name])
    return schema
