"""Forms of the 三单 pages. They only parse what the browser sends; every rule is the services'."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from core.widgets import ChipsSelect, DateTimePicker, PhotoUploader
from grids.models import Community
from grids.vocab import CoordSystem, Duty, Focus
from orders.models import Task

INPUT = {"class": "weui-input"}


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", PhotoUploader())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


class _Errors:
    def first_error(self) -> str:
        for errors in self.errors.values():
            return str(errors[0])
        return "请检查填写的内容。"


class OrderForm(_Errors, forms.Form):
    duty = forms.ChoiceField(
        label="服务类别", choices=[("", "请选择")] + list(Duty.choices), error_messages={"required": "请选择服务类别。"}
    )
    title = forms.CharField(
        label="标题", max_length=80, error_messages={"required": "请填写标题。"}, widget=forms.TextInput(INPUT)
    )
    description = forms.CharField(
        label="问题描述",
        max_length=2000,
        error_messages={"required": "请填写问题描述。"},
        widget=forms.Textarea({"class": "weui-textarea", "rows": 4}),
    )
    address = forms.CharField(
        label="地址",
        max_length=200,
        error_messages={"required": "请填写地址。"},
        widget=forms.TextInput({**INPUT, "placeholder": "如：工业中路 12 号 3 栋 2 单元门口"}),
    )
    # Optional: GPS is the fast path; without it the resident searches the community (``clean``).
    lat = forms.FloatField(
        required=False,
        widget=forms.HiddenInput(attrs={"data-geo": "lat"}),
        error_messages={"invalid": "位置格式不正确。"},
    )
    lng = forms.FloatField(
        required=False,
        widget=forms.HiddenInput(attrs={"data-geo": "lng"}),
        error_messages={"invalid": "位置格式不正确。"},
    )
    coord_system = forms.ChoiceField(
        choices=CoordSystem.choices,
        initial="wgs84",
        required=False,
        widget=forms.HiddenInput(attrs={"data-geo": "coord"}),
    )
    community = forms.IntegerField(required=False)
    preferred_time = forms.DateTimeField(label="期望时间", required=False, widget=DateTimePicker(days=30))
    contact_phone = forms.CharField(
        label="联系电话",
        max_length=20,
        error_messages={"required": "请填写联系电话。"},
        widget=forms.TextInput({"class": "weui-input", "type": "tel", "inputmode": "numeric"}),
    )
    photos = MultipleFileField(label="照片", required=False)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.communities = list(communities)

    def clean_coord_system(self):
        return self.cleaned_data.get("coord_system") or "wgs84"

    def clean_preferred_time(self):
        return _aware(self.cleaned_data.get("preferred_time"))

    def clean_photos(self):
        return self.cleaned_data.get("photos") or []

    def clean(self):
        data = super().clean()
        located = data.get("lat") is not None and data.get("lng") is not None
        if not located and not data.get("community") and "lat" not in self.errors and "lng" not in self.errors:
            # One message for the missing place, not one per hidden coordinate.
            self.add_error("community", "请使用当前位置，或搜索社区名称、地址后选择所属社区。")
        return data

    def chosen_community(self) -> Community | None:
        return community_of(self.cleaned_data.get("community"))


def community_of(pk) -> Community | None:
    """The community named by a form's id (None for none, or one that does not parse or exist)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return Community.objects.filter(pk=pk).select_related("street").first()


class TaskTimesForm(_Errors, forms.Form):
    """What approving a request into a new task needs beyond the request itself."""

    focus = forms.ChoiceField(
        label="三项重点",
        choices=Focus.choices,
        initial=Focus.SERVICE,
        widget=ChipsSelect(label="三项重点"),
        error_messages={"required": "请选择三项重点。"},
    )
    starts_at = forms.DateTimeField(
        label="开始时间", widget=DateTimePicker(), error_messages={"required": "请填写开始时间。"}
    )
    ends_at = forms.DateTimeField(
        label="结束时间", widget=DateTimePicker(), error_messages={"required": "请填写结束时间。"}
    )
    slots = forms.IntegerField(
        label="名额",
        min_value=1,
        max_value=500,
        initial=2,
        widget=forms.NumberInput(INPUT),
        error_messages={"required": "请填写名额。", "min_value": "名额至少 1 人。", "max_value": "名额最多 500 人。"},
    )

    def clean_starts_at(self):
        return _aware(self.cleaned_data.get("starts_at"))

    def clean_ends_at(self):
        return _aware(self.cleaned_data.get("ends_at"))


class ApproveForm(TaskTimesForm):
    """受理并派单: the new task's time and slots, and the request's category and title as the
    reviewer corrects them (the task inherits them; left as they were, nothing is corrected)."""

    duty = forms.ChoiceField(label="服务类别", choices=Duty.choices, required=False)
    title = forms.CharField(label="标题", max_length=80, required=False, widget=forms.TextInput(INPUT))

    def corrections(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ("duty", "title") if data.get(name)}

    def task_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("duty", "title")}


class TaskForm(TaskTimesForm):
    """吹哨: a task the community publishes directly."""

    community = forms.IntegerField(label="社区", error_messages={"required": "请选择社区。"})
    duty = forms.ChoiceField(
        label="职责",
        choices=Duty.choices,
        widget=ChipsSelect(label="职责"),
        error_messages={"required": "请选择职责。"},
    )
    title = forms.CharField(label="标题", max_length=80, widget=forms.TextInput(INPUT))
    description = forms.CharField(
        label="内容", required=False, max_length=4000, widget=forms.Textarea({"class": "weui-textarea", "rows": 3})
    )
    address = forms.CharField(label="地点", max_length=200, widget=forms.TextInput(INPUT))
    lat = forms.FloatField(required=False, widget=forms.HiddenInput(attrs={"data-geo": "lat"}))
    lng = forms.FloatField(required=False, widget=forms.HiddenInput(attrs={"data-geo": "lng"}))
    coord_system = forms.ChoiceField(
        choices=CoordSystem.choices, required=False, widget=forms.HiddenInput(attrs={"data-geo": "coord"})
    )
    visibility = forms.ChoiceField(
        label="可见范围",
        choices=Task.PUBLIC_VISIBILITIES,
        initial=Task.Visibility.COMMUNITY,
        widget=ChipsSelect(label="可见范围"),
    )

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.communities = list(communities)
        if len(self.communities) == 1:
            self.fields["community"].initial = self.communities[0].pk

    def clean_coord_system(self):
        return self.cleaned_data.get("coord_system") or "wgs84"

    def clean_community(self):
        pk = self.cleaned_data.get("community")
        if pk not in {c.pk for c in self.communities}:
            raise forms.ValidationError("只能在本辖区的社区发布任务。")
        return pk

    def chosen_community(self) -> Community:
        pk = self.cleaned_data["community"]
        return next(c for c in self.communities if c.pk == pk)
