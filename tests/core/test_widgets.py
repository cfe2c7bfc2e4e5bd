"""The WeUI form controls (core.widgets): a date and a time as two Chinese select cells, chips,
the uploader — and the 吹哨 form posted through them."""

import datetime as dt

import pytest
import time_machine
from django import forms
from django.utils import timezone

from core.widgets import ChipsSelect, DatePicker, DateTimePicker, PhotoUploader, date_label
from grids.vocab import Duty
from orders.forms import OrderForm, TaskForm
from orders.models import Task
from tests.pages import browser_for, html

SHANGHAI_NOON = dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.UTC)  # a Tuesday, 12:00 in Shanghai


class _Form(forms.Form):
    when = forms.DateTimeField(required=False, widget=DateTimePicker(days=3))


def test_dates_are_labelled_in_chinese_with_today_and_tomorrow():
    today = dt.date(2026, 12, 1)
    assert date_label(today, today) == "今天 12月1日 周二"
    assert date_label(dt.date(2026, 12, 2), today) == "明天 12月2日 周三"
    assert date_label(dt.date(2026, 12, 6), today) == "12月6日 周日"
    assert date_label(dt.date(2027, 1, 3), today) == "2027年1月3日 周日"


@time_machine.travel(SHANGHAI_NOON, tick=False)
def test_datetime_picker_renders_two_select_cells_without_browser_date_inputs():
    out = str(_Form()["when"])
    assert 'type="datetime-local"' not in out and 'type="date"' not in out
    assert 'name="when_date"' in out and 'name="when_time"' in out
    assert "今天 12月1日 周二" in out and "12月4日 周五" in out and "12月5日" not in out
    assert '<option value="19:30">19:30</option>' in out
    assert "mm/dd" not in out.lower()


@time_machine.travel(SHANGHAI_NOON, tick=False)
def test_datetime_picker_joins_date_and_time_and_reads_an_iso_value_as_before():
    form = _Form({"when_date": "2026-12-03", "when_time": "19:30"})
    assert form.is_valid(), form.errors
    assert timezone.localtime(form.cleaned_data["when"]).strftime("%Y-%m-%d %H:%M") == "2026-12-03 19:30"
    assert _Form({"when": "2026-12-03T08:00"}).is_valid()
    empty = _Form({})
    assert empty.is_valid() and empty.cleaned_data["when"] is None
    half = _Form({"when_date": "2026-12-03", "when_time": ""})
    assert not half.is_valid()


@time_machine.travel(SHANGHAI_NOON, tick=False)
def test_datetime_picker_shows_a_chosen_value_outside_its_range_selected():
    form = _Form(initial={"when": timezone.make_aware(dt.datetime(2027, 2, 1, 7, 45))})
    out = str(form["when"])
    assert '<option value="2027-02-01" selected>2027年2月1日 周一</option>' in out
    assert '<option value="07:45" selected>07:45</option>' in out


@time_machine.travel(SHANGHAI_NOON, tick=False)
def test_date_picker_offers_no_deadline_and_selects_the_default():
    out = DatePicker(days=10, blank="不设期限").render("deadline", dt.date(2026, 12, 8))
    assert '<option value="">不设期限</option>' in out
    assert '<option value="2026-12-08" selected>12月8日 周二</option>' in out


def test_chips_render_radios_labelled_in_chinese():
    out = ChipsSelect(label="职责", choices=Duty.choices).render("duty", Duty.SAFETY)
    assert 'role="radiogroup"' in out and 'aria-label="职责"' in out
    assert '<input type="radio" name="duty" value="safety" checked>' in out and "平安守护" in out


def test_uploader_is_weuis_and_never_a_bare_file_input():
    out = PhotoUploader().render("photos", None)
    assert "weui-uploader" in out and "选择图片" in out and "js/uploader.js" in out
    assert 'class="weui-uploader__input"' in out and "multiple" in out
    assert "weui-uploader" in str(OrderForm()["photos"])


@time_machine.travel(SHANGHAI_NOON, tick=False)
def test_task_form_uses_chips_and_pickers():
    form = TaskForm()
    assert isinstance(form.fields["focus"].widget, ChipsSelect)
    assert isinstance(form.fields["duty"].widget, ChipsSelect)
    assert isinstance(form.fields["visibility"].widget, ChipsSelect)
    assert isinstance(form.fields["starts_at"].widget, DateTimePicker)


@pytest.mark.django_db
def test_whistle_form_page_and_post_through_the_new_controls(secretary, community, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    c = browser_for(secretary)
    page = html(c.get("/work/tasks/new/"))
    assert 'type="datetime-local"' not in page and "app-chips" in page and 'name="starts_at_date"' in page
    day = timezone.localdate() + dt.timedelta(days=3)
    r = c.post(
        "/work/tasks/new/",
        {
            "community": community.pk,
            "focus": "service",
            "duty": Duty.CONVENIENCE,
            "title": "义诊",
            "address": "工业中社区广场",
            "starts_at_date": day.isoformat(),
            "starts_at_time": "19:00",
            "ends_at_date": day.isoformat(),
            "ends_at_time": "21:00",
            "slots": "4",
            "visibility": "community",
        },
    )
    assert r.status_code == 302, html(r)
    task = Task.objects.get()
    assert timezone.localtime(task.starts_at).strftime("%H:%M") == "19:00" and task.slots == 4


@pytest.mark.django_db
def test_escalation_and_hall_have_no_browser_date_inputs(placed, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    page = html(browser_for(placed.user).get("/tasks/"))
    assert 'type="date"' not in page and "不限日期" in page
