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


def test_paginated_lists_can_answer_404_for_a_page_they_do_not_have(schema):
    components = schema["components"]["schemas"]
    missing = []
    for path, method, op in operations(schema):
        ref = op["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
        body = components.get(ref.get("$ref", "").rsplit("/", 1)[-1], {})
        if {"count", "next", "previous", "results"} <= set(body.get("properties", {})) and "404" not in op["responses"]:
            missing.append((path, method))
    assert not missing, missing
    assert schema["paths"]["/api/v1/acceptances/"]["get"]["responses"]["404"]["description"] == "页码无效或超出范围"


@pytest.mark.django_db
def test_a_page_past_the_end_is_the_documented_404(placed):
    from tests.conftest import client_for

    for page in ("0", "99", "x"):
        resp = client_for(placed.user).get("/api/v1/acceptances/", {"page": page})
        assert resp.status_code == 404 and resp.json() == {"detail": "页码无效。", "code": "not_found"}


# Answers the API gives that the schema once left out (found by tests/test_schemathesis.py): who
# asks, what, and the status they get, which the operation must document.
V1 = "/api/v1"
ANSWERED = [
    ("secretary", "GET", "/members/me/", None, 404),  # no member profile
    ("secretary", "PATCH", "/members/me/", {"name": "陈书记"}, 404),
    ("secretary", "GET", "/location-consent/", None, 404),
    ("secretary", "POST", "/location-consent/", None, 404),
    ("secretary", "DELETE", "/location-consent/", None, 404),
    ("secretary", "GET", "/tasks/hall/", None, 404),
    ("secretary", "GET", "/registrations/options/", None, 404),
    ("secretary", "POST", "/visits/", {"method": "qr", "token": "x"}, 404),
    ("secretary", "GET", "/cockpit/", None, 403),  # the cockpit is for street staff and above
    ("secretary", "GET", "/boards/?date=2026-13-01", None, 400),  # a query the view reads itself
    ("outsider", "GET", "/grids/{id}/members/", None, 403),  # another community's grid
    ("placed", "DELETE", "/location-consent/", None, 200),  # the consent, withdrawn, not a 204
]


@pytest.mark.django_db
@pytest.mark.parametrize("who,method,path,body,status", ANSWERED)
def test_answers_are_documented(request, schema, grid, who, method, path, body, status):
    from tests.conftest import client_for

    user = request.getfixturevalue(who)
    url = V1 + path.format(id=grid.pk)
    resp = getattr(client_for(getattr(user, "user", user)), method.lower())(url, body, format="json")
    assert resp.status_code == status, resp.content
    template = V1 + path.split("?")[0]
    assert str(status) in schema["paths"][template][method.lower()]["responses"]
