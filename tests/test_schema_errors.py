"""Every operation in the API schema lists the errors it can answer, in the one error envelope."""

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            yield path, method.upper(), op


def test_every_error_answer_uses_the_error_envelope(schema):
    """ErrorOut, or a body that carries the envelope and more (WeChat's bind_required adds its ticket)."""
    components = schema["components"]["schemas"]
    assert set(components["ErrorOut"]["properties"]) == {"detail", "code", "fields"}
    wrong = []
    for path, method, op in operations(schema):
        for status, response in op["responses"].items():
            ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
            body = components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {})
            if status.startswith("4") and not {"detail", "code"} <= set(body):
                wrong.append((path, method, status))
    assert not wrong, wrong


def test_operations_on_an_object_can_answer_404_and_signed_in_ones_401(schema):
    anonymous = {"/api/v1/auth/code/", "/api/v1/auth/token/", "/api/v1/auth/wechat/", "/api/v1/auth/wechat/bind/"}
    missing = []
    for path, method, op in operations(schema):
        if "{" in path and "404" not in op["responses"]:
            missing.append((path, method, 404))
        if path not in anonymous and "401" not in op["responses"]:
            missing.append((path, method, 401))
        if method in {"POST", "PUT", "PATCH"} and "400" not in op["responses"]:
            missing.append((path, method, 400))
    assert not missing, missing


def test_throttled_operations_can_answer_429(schema):
    op = schema["paths"]["/api/v1/auth/code/"]["post"]
    assert "429" in op["responses"]
    assert op["responses"]["429"]["description"]
