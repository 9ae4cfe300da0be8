import json
from pathlib import Path

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

CONTRACT = Path(__file__).with_name("openapi.json")


def test_the_schema_is_the_contract():
    """A change to the API's shape must be deliberate: `make api-schema` records it."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    generated = json.loads(OpenApiJsonRenderer().render(schema, renderer_context={}))

    assert generated == json.loads(CONTRACT.read_text()), (
        "The partner API's schema changed. If that is intended, run `make api-schema` and "
        "commit tests/partners/api/openapi.json with the change."
    )


def test_every_operation_has_an_id_a_summary_or_description_and_problem_answers():
    schema = json.loads(CONTRACT.read_text())
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            assert operation.get("operationId"), (method, path)
            assert "401" in operation["responses"], (method, path)
            assert operation.get("security"), (method, path)
