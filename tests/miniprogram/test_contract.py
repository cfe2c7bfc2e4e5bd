"""The mini program against the API's contract: every call its pages make in their jest tests
(path, method, query parameters, JSON fields, upload field) exists in the OpenAPI schema that
``manage.py spectacular`` generates, so renaming an endpoint or a field breaks the build."""

import json
import os
import re
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = [pytest.mark.miniprogram, pytest.mark.slow]

MP = Path(settings.BASE_DIR) / "miniprogram"
PREFIX = "/api/v1/"


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("schema") / "openapi.json"
    call_command("spectacular", "--file", str(path), "--format", "openapi-json", "--validate", "--fail-on-warn")
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def calls(tmp_path_factory) -> list[dict]:
    """What the pages sent in their jest tests (miniprogram/tests/record.js writes it out)."""
    out = tmp_path_factory.mktemp("calls")
    run = subprocess.run(
        ["npx", "jest", "--ci", "--silent", "--testPathIgnorePatterns", "api.test.js", "/e2e/"],
        cwd=MP,
        env={**os.environ, "MP_CALLS_DIR": str(out)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    rows = []
    for file in sorted(out.glob("*.json")):
        rows.extend(json.loads(file.read_text()))
    assert rows, "the jest run recorded no calls"
    return rows


def _templates(schema) -> list[tuple[re.Pattern, str]]:
    """Schema paths as patterns, literal ones first (``tasks/hall/`` before ``tasks/{id}/``)."""
    rows = []
    for path in sorted(schema["paths"], key=lambda p: (p.count("{"), p)):
        rows.append((re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$"), path))
    return rows


def _resolve(schema, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _properties(schema, op: dict, content_type: str) -> set[str] | None:
    body = op.get("requestBody")
    if body is None:
        return set()
    content = body["content"].get(content_type)
    if content is None:
        return None
    node = _resolve(schema, content["schema"])
    props = set(node.get("properties", {}))
    for part in node.get("allOf", []):
        props |= set(_resolve(schema, part).get("properties", {}))
    return props


def _operation(schema, templates, url: str, method: str):
    path = urlsplit(url).path
    assert path.startswith(PREFIX), url
    for pattern, template in templates:
        if pattern.match(path):
            item = schema["paths"][template]
            assert method.lower() in item, f"{method} {template}: not in the schema (has {sorted(item)})"
            return template, item[method.lower()]
    raise AssertionError(f"{method} {path}: no such path in the schema")


def _check(schema, calls) -> tuple[list[str], set]:
    """The problems of ``calls`` against the schema, and the operations they reached."""
    templates = _templates(schema)
    seen = set()
    problems = []
    for call in calls:
        try:
            template, op = _operation(schema, templates, call["url"], call["method"])
        except AssertionError as exc:
            problems.append(str(exc))
            continue
        seen.add((call["method"], template))
        query = set(parse_qs(urlsplit(call["url"]).query))
        accepted = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        if query - accepted:
            problems.append(f"{call['method']} {template}: query {sorted(query - accepted)} not accepted")
        if call["kind"] == "upload":
            fields = _properties(schema, op, "multipart/form-data")
            sent = {call["name"], *call["formData"]}
        else:
            fields = _properties(schema, op, "application/json")
            sent = set(call["data"] or {}) if call["method"] != "GET" else set()
        if fields is None:
            problems.append(f"{call['method']} {template}: the schema takes no such body")
        elif sent - fields:
            problems.append(
                f"{call['method']} {template}: fields {sorted(sent - fields)} not accepted ({sorted(fields)})"
            )
    return sorted(set(problems)), seen


def test_every_call_is_in_the_schema(schema, calls):
    problems, seen = _check(schema, calls)
    assert not problems, "\n".join(problems)
    # The pages' tests reach every part of the API the mini program uses.
    assert len(seen) >= 30, sorted(seen)


def test_the_uploads_are_multipart_one_photo(schema, calls):
    uploads = [c for c in calls if c["kind"] == "upload"]
    assert uploads and all(urlsplit(c["url"]).path.endswith("/photos/") and c["name"] == "photo" for c in uploads)


def test_the_check_itself_catches_renames(schema):
    base = "https://whistle.example.cn/api/v1/"
    wrong = [
        {"kind": "request", "method": "POST", "url": base + "requests/", "data": {"title": "t", "coords": "1,2"}},
        {"kind": "request", "method": "POST", "url": base + "requests/7/acknowledge/", "data": {}},
        {"kind": "request", "method": "DELETE", "url": base + "tasks/hall/", "data": None},
        {"kind": "request", "method": "GET", "url": base + "tasks/hall/?near=1,2", "data": None},
        {"kind": "upload", "method": "POST", "url": base + "requests/7/photos/", "name": "file", "formData": {}},
    ]
    problems, _ = _check(schema, wrong)
    assert len(problems) == 5, problems
    right = [
        {
            "kind": "request",
            "method": "POST",
            "url": base + "requests/7/rate/",
            "data": {"score": 5, "liked_members": []},
        }
    ]
    assert _check(schema, right) == ([], {("POST", "/api/v1/requests/{id}/rate/")})
