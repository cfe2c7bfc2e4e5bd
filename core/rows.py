"""Serializing rows without per-row introspection: ``CompiledRepresentation``.

DRF's ``Serializer.to_representation`` walks the serializer's fields for every row: each field
looks its source up through ``get_attribute``, which asks ``inspect.signature`` whether a callable
source such as ``get_status_display`` may be called; and a ``ModelSerializer`` first introspects
its model to build those fields, once per serializer instance, so once per response. For a list
of twenty tasks that is most of the response's time.

A serializer class that mixes ``CompiledRepresentation`` in builds a plan once per class (from
one instance's fields): for each readable field, a getter for its source and the converter of
its value. Plain fields (text, numbers, dates, choices, JSON) convert with the field itself, bound
once to the plan; ``SerializerMethodField`` calls the method on the live serializer (so it sees
the request's context); anything that needs the live context or the instance's bound field
(nested serializers, relations, files) gets its own bound copy of the field, made once per
serializer instance. The output is what ``Serializer.to_representation`` gives, key for key and
value for value (``tests/core/test_rows.py`` and each user's tests check it on real rows).
"""

from __future__ import annotations

import copy
import functools
import threading
import types
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.functional import Promise
from rest_framework import ISO_8601, serializers
from rest_framework import fields as f
from rest_framework.fields import SkipField, empty
from rest_framework.settings import api_settings

_SIMPLE = (
    f.CharField,
    f.IntegerField,
    f.FloatField,
    f.BooleanField,
    f.DateTimeField,
    f.DateField,
    f.TimeField,
    f.DecimalField,
    f.ChoiceField,
    f.JSONField,
    f.ReadOnlyField,
    f.UUIDField,
    f.DurationField,
    f.DictField,
    f.HStoreField,
)
# Exact types whose ``to_representation`` is a builtin conversion.
_BUILTIN = {f.CharField: str, f.IntegerField: int, f.FloatField: float}
_CALLABLES = (types.MethodType, types.FunctionType, functools.partial)
_SKIP = object()


def _context_free(field: f.Field) -> bool:
    """Whether a field's representation depends on nothing but its value."""
    if isinstance(field, f.ListField):
        return _context_free(field.child)
    if isinstance(field, serializers.BaseSerializer | f.FileField | f.HiddenField | f.SerializerMethodField):
        return False
    return isinstance(field, _SIMPLE) and not isinstance(field, f.ModelField)


def _display_getter(field: f.Field, model) -> Callable[[Any], Any] | None:
    """For ``source="get_<x>_display"`` on a model field with choices: the label looked up in a
    table built once (what ``Model._get_FIELD_display`` gives, without rebuilding it per row)."""
    attrs = field.source_attrs
    if model is None or len(attrs) != 1 or not (attrs[0].startswith("get_") and attrs[0].endswith("_display")):
        return None
    try:
        model_field = model._meta.get_field(attrs[0][4:-8])
    except Exception:
        return None
    if not model_field.choices or getattr(model, attrs[0], None) is None:
        return None
    labels = dict(model_field.flatchoices)
    attname = model_field.attname

    def get(instance):
        value = getattr(instance, attname)
        try:
            label = labels.get(value, value)
        except TypeError:  # an unhashable value: let the model say it
            return getattr(instance, attrs[0])()
        return str(label) if isinstance(label, Promise) else label

    return get


def _plain_iso_datetime(field: f.Field) -> bool:
    """A ``DateTimeField`` with the project's ISO 8601 output in the current time zone (no format
    or time zone of its own): an aware value converts as DRF converts it, without asking
    ``get_current_timezone`` for every field of every row."""
    return (
        type(field) is f.DateTimeField
        and "format" not in field.__dict__
        and "timezone" not in field.__dict__
        and str(api_settings.DATETIME_FORMAT).lower() == ISO_8601
        and django_settings.USE_TZ
    )


def _getter(field: f.Field) -> Callable[[Any], Any]:
    """The field's ``get_attribute`` without ``inspect``: callables of no argument are called."""
    attrs = list(field.source_attrs)

    def lookup(instance):
        for attr in attrs:
            try:
                instance = instance[attr] if isinstance(instance, Mapping) else getattr(instance, attr)
            except ObjectDoesNotExist:
                return None
            if isinstance(instance, _CALLABLES):
                instance = instance()
        return instance

    def get(instance):
        try:
            return lookup(instance)
        except (KeyError, AttributeError):
            # What Field.get_attribute does on a missing source.
            if field.default is not empty:
                return field.get_default()
            if field.allow_null:
                return None
            if not field.required:
                return _SKIP
            raise

    return get


def iso_datetime(value: datetime | None, tz) -> str | None:
    """An aware datetime as DRF's ``DateTimeField`` writes it with the ISO 8601 setting, in ``tz``."""
    if value is None:
        return None
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class _Plan:
    def __init__(self, serializer_class: type[serializers.Serializer]):
        prototype = serializer_class()
        model = getattr(getattr(serializer_class, "Meta", None), "model", None)
        self.steps: list[tuple[str, str, Any, Any]] = []
        for field in prototype._readable_fields:
            name = field.field_name
            if isinstance(field, f.SerializerMethodField):
                self.steps.append((name, "method", field.method_name, None))
            elif _context_free(field) and field.source != "*":
                convert = _BUILTIN.get(type(field), field.to_representation)
                kind = "datetime" if _plain_iso_datetime(field) else "plain"
                self.steps.append((name, kind, _display_getter(field, model) or _getter(field), convert))
            else:
                self.steps.append((name, "bound", field, None))

    def run(self, serializer: serializers.Serializer, instance) -> dict:
        ret = {}
        bound = tz = None
        for name, kind, a, b in self.steps:
            if kind == "plain":
                value = a(instance)
                if value is _SKIP:
                    continue
                ret[name] = None if value is None else b(value)
            elif kind == "datetime":
                value = a(instance)
                if value is _SKIP:
                    continue
                if isinstance(value, datetime) and value.tzinfo is not None:
                    tz = tz or timezone.get_current_timezone()  # once per row, not per field
                    ret[name] = iso_datetime(value, tz)
                else:
                    ret[name] = None if value is None else b(value)
            elif kind == "method":
                ret[name] = getattr(serializer, a)(instance)
            else:
                if bound is None:
                    bound = _bound_fields(serializer)
                field = bound.get(name)
                if field is None:
                    field = bound[name] = copy.deepcopy(a)
                    field.bind(name, serializer)
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
                check = attribute.pk if isinstance(attribute, serializers.PKOnlyObject) else attribute
                ret[name] = None if check is None else field.to_representation(attribute)
        return ret


_plans: dict[type, _Plan] = {}
_plans_lock = threading.Lock()


def _plan_for(cls: type) -> _Plan:
    plan = _plans.get(cls)
    if plan is None:
        with _plans_lock:
            plan = _plans.get(cls)
            if plan is None:
                plan = _plans[cls] = _Plan(cls)
    return plan


def _bound_fields(serializer) -> dict:
    bound = serializer.__dict__.get("_compiled_bound")
    if bound is None:
        bound = serializer.__dict__["_compiled_bound"] = {}
    return bound


class CompiledRepresentation:
    """Mix into a ``Serializer`` (before it) to represent rows with a plan built once per class.

    The class's fields must not change per instance (no ``get_fields`` that depends on the
    context): the plan is the same for every instance.
    """

    def to_representation(self, instance):
        return _plan_for(type(self)).run(self, instance)


def generic_representation(serializer: serializers.Serializer, instance) -> dict:
    """DRF's own representation of ``instance`` (for comparing with the compiled one)."""
    return serializers.Serializer.to_representation(serializer, instance)
