"""The API schema says null where the API answers null.

A field that falls back to ``None`` (a member without a unit, a request without a task, a list read
without a location) is declared nullable, so generated clients and the mini program do not break on
it; a method field that can answer ``None`` says so too.
"""

import inspect
import typing

from django.apps import apps
from django.urls import get_resolver
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

PROJECT_APPS = {"core", "accounts", "notifications", "grids", "reporting", "orders", "rankings", "portal"}


def _project_serializers():
    assert get_resolver().url_patterns  # imports every API module, and with them their serializers
    seen, todo = set(), [serializers.Serializer]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return [c for c in seen if c.__module__.split(".")[0] in PROJECT_APPS and not inspect.isabstract(c)]


def test_every_field_that_falls_back_to_none_is_nullable():
    assert apps.ready
    missing = []
    for cls in _project_serializers():
        for name, field in cls().fields.items():
            if field.default is None and not field.allow_null:
                missing.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert not missing, missing


def test_method_fields_that_may_answer_none_are_nullable_in_the_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    wrong = []
    for cls in _project_serializers():
        for name, attr in vars(cls).items():
            if not (name.startswith("get_") and callable(attr)):
                continue
            hints = typing.get_type_hints(attr) if attr.__annotations__ else {}
            ret = hints.get("return")
            if ret is None or type(None) not in typing.get_args(ret):
                continue
            field = name.removeprefix("get_")
            props = components.get(cls.__name__, {}).get("properties", {})
            if field in props and not props[field].get("nullable"):
                wrong.append(f"{cls.__name__}.{field}")
    assert not wrong, wrong
