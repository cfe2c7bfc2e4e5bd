"""Form widgets of the H5 pages in WeUI's manner, the same in every browser.

A browser draws its own date, time and file inputs in its own language and format (a Chinese
page in an English Chromium shows "mm/dd/yyyy" and "Choose Files"), so the pages do not use
them: a date and a time are chosen from two WeUI select cells with Chinese labels (a phone
opens its own wheel picker on each), photos through WeUI's uploader, and a few choices as chips
a thumb can hit.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

WEEKDAYS = "一二三四五六日"


def date_label(day: dt.date, today: dt.date) -> str:
    """``12月3日 周四``, with 今天 and 明天 named."""
    label = f"{day.month}月{day.day}日 周{WEEKDAYS[day.weekday()]}"
    if day == today:
        return f"今天 {label}"
    if day == today + dt.timedelta(days=1):
        return f"明天 {label}"
    if day.year != today.year:
        return f"{day.year}年{label}"
    return label


def date_choices(days: int, *, extra: dt.date | None = None, blank: str = "请选择日期") -> list[tuple[str, str]]:
    """Today and the ``days`` after it (and ``extra``, a date already chosen outside them)."""
    today = timezone.localdate()
    dates = [today + dt.timedelta(days=i) for i in range(days + 1)]
    if extra is not None and extra not in dates:
        dates = sorted([*dates, extra])
    return [("", blank), *((d.isoformat(), date_label(d, today)) for d in dates)]


def time_choices(step_minutes: int = 30, *, extra: str | None = None) -> list[tuple[str, str]]:
    times = [f"{m // 60:02d}:{m % 60:02d}" for m in range(0, 24 * 60, step_minutes)]
    if extra and extra not in times:
        times = sorted([*times, extra])
    return [("", "时间"), *((t, t) for t in times)]


class ChipsSelect(forms.RadioSelect):
    """A choice among a few, as chips in a row (三项重点, 八大职责, 可见范围)."""

    template_name = "core/widgets/chips.html"

    def __init__(self, *args, label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.label = label

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["label"] = self.label
        return context


class DatePicker(forms.Select):
    """A date among today and the next ``days``, as ``12月3日 周四`` (value ``YYYY-MM-DD``)."""

    def __init__(self, attrs=None, *, days: int = 60, blank: str = "请选择日期"):
        super().__init__({"class": "weui-select", **(attrs or {})})
        self.days, self.blank = days, blank

    def get_context(self, name, value, attrs):
        chosen = value if isinstance(value, dt.date) else parse_date(str(value or "")) if value else None
        self.choices = date_choices(self.days, extra=chosen, blank=self.blank)
        return super().get_context(name, chosen.isoformat() if chosen else "", attrs)


class DateTimePicker(forms.MultiWidget):
    """A date and a time, each a WeUI select cell: ``<name>_date`` (``YYYY-MM-DD``) and
    ``<name>_time`` (``HH:MM``), joined into ``YYYY-MM-DD HH:MM`` for the form field. A client
    that posts ``<name>`` itself (an ISO date-time) is read as before."""

    template_name = "core/widgets/datetime.html"

    def __init__(self, attrs=None, *, days: int = 60, step_minutes: int = 30):
        self.days, self.step_minutes = days, step_minutes
        super().__init__(
            {
                "date": forms.Select(attrs={"class": "weui-select app-datetime__date", "aria-label": "日期"}),
                "time": forms.Select(attrs={"class": "weui-select app-datetime__time", "aria-label": "时间"}),
            },
            attrs,
        )

    def decompress(self, value):
        if isinstance(value, str):
            value = parse_datetime(value.replace("T", " ")) if value else None
        if not isinstance(value, dt.datetime):
            return [None, None]
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return [value.date().isoformat(), f"{value:%H:%M}"]

    def get_context(self, name, value, attrs):
        parts = value if isinstance(value, list) else self.decompress(value)
        day = parse_date(parts[0]) if parts and parts[0] else None
        self.widgets[0].choices = date_choices(self.days, extra=day)
        self.widgets[1].choices = time_choices(self.step_minutes, extra=parts[1] if parts else None)
        context = super().get_context(name, parts, attrs)
        # Ids after the names (``id_starts_at_date``), not MultiWidget's indexes (``id_starts_at_0``).
        base = context["widget"]["attrs"].get("id")
        if base:
            for sub, suffix in zip(context["widget"]["subwidgets"], self.widgets_names, strict=True):
                sub["attrs"]["id"] = f"{base}{suffix}"
        return context

    def value_from_datadict(self, data, files, name):
        if data.get(name):
            return data.get(name)
        day, time = (data.get(f"{name}{suffix}") for suffix in self.widgets_names)
        if not day and not time:
            return None
        if not day or not time:
            return "-"  # half a date-time: the field says it is invalid rather than missing
        return f"{day} {time}"

    def value_omitted_from_data(self, data, files, name):
        return name not in data and all(f"{name}{suffix}" not in data for suffix in self.widgets_names)

    def id_for_label(self, id_):
        return f"{id_}_date" if id_ else id_


class PhotoUploader(forms.ClearableFileInput):
    """WeUI's uploader: a square to tap (选择图片), the chosen photos as thumbnails, a count."""

    template_name = "core/widgets/uploader.html"
    allow_multiple_selected = True

    def __init__(self, attrs=None, *, max_files: int = 3):
        super().__init__({"accept": "image/jpeg,image/png", "multiple": True, **(attrs or {})})
        self.max_files = max_files

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["max_files"] = self.max_files
        return context
