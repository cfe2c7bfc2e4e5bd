"""The rankings admin: lists render with a flat query count, district and city staff read,
only superusers and city staff rebuild, and nobody edits."""

from datetime import date, timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grids.models import Post
from rankings.models import Board, BoardDay, BoardEntry, CockpitFigures
from tests.accounts.factories import UserFactory
from tests.grids.factories import PostFactory

DAY = date(2026, 6, 15)


def changelist(model):
    return reverse(f"admin:rankings_{model._meta.model_name}_changelist")


@pytest.fixture
def city_staff(db):
    user = UserFactory(phone="13800000011", name="市组织部", is_staff=True)
    PostFactory(user=user, role=Post.Role.CITY_STAFF, community=None)
    return user


@pytest.fixture
def district_staff(district_officer):
    district_officer.is_staff = True
    district_officer.save()
    return district_officer


@pytest.fixture
def staff_secretary(secretary):
    secretary.is_staff = True
    secretary.save()
    return secretary


def add_rows(district, start: int, n: int, day=DAY):
    BoardDay.objects.get_or_create(day=day)
    BoardEntry.objects.bulk_create(
        BoardEntry(
            day=day,
            board=Board.MEMBERS,
            subject_id=1000 + i,
            district_id=district.pk if i % 2 else None,
            rank=i,
            district_rank=i if i % 2 else None,
            previous_rank=i + 1 if i % 3 else None,
            points=60 * (100 - i),
            minutes=60 * i,
        )
        for i in range(start, start + n)
    )
    CockpitFigures.objects.bulk_create(
        CockpitFigures(day=day, scope=f"street:{i}", data={}) for i in range(start, start + n)
    )


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


@pytest.mark.parametrize("model", [BoardEntry, CockpitFigures])
def test_changelist_query_count_is_flat(settings, client, model, district_staff, district):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    client.force_login(district_staff)
    url = changelist(model)
    add_rows(district, 1, 3)
    client.get(url)
    few, rows_few = _count(client, url)
    add_rows(district, 4, 10)
    many, rows_many = _count(client, url)
    assert (rows_few, rows_many) == (3, 13)
    assert many == few


def test_board_entries_filter_by_day_board_and_district(client, admin_user, district):
    client.force_login(admin_user)
    add_rows(district, 1, 4)
    add_rows(district, 5, 2, day=DAY - timedelta(days=1))
    url = changelist(BoardEntry)
    assert len(client.get(url).context["cl"].result_list) == 4  # the latest day by default
    assert len(client.get(url, {"day": (DAY - timedelta(days=1)).isoformat()}).context["cl"].result_list) == 2
    assert len(client.get(url, {"day": "all"}).context["cl"].result_list) == 6
    assert len(client.get(url, {"board": "members", "district": district.pk}).context["cl"].result_list) == 2
    page = client.get(url).content.decode()
    assert district.name in page and "新上榜" in page


def test_board_day_list_and_pages(client, district_staff, district):
    client.force_login(district_staff)
    add_rows(district, 1, 2)
    assert client.get(changelist(BoardDay)).status_code == 200
    day = BoardDay.objects.get()
    assert client.get(reverse("admin:rankings_boardday_change", args=[day.pk])).status_code == 200
    assert client.get(reverse("admin:rankings_boardday_add")).status_code == 403


def _run(client, action, selected=()):
    return client.post(
        changelist(BoardDay),
        {"action": action, ACTION_CHECKBOX_NAME: [str(pk) for pk in selected], "index": 0},
        follow=True,
    )


@pytest.mark.parametrize("who", ["admin", "city"])
def test_rebuild_selected_days_and_yesterday(client, who, admin_user, city_staff, member):
    client.force_login(admin_user if who == "admin" else city_staff)
    old = BoardDay.objects.create(day=DAY, triggered_by="旧")
    response = _run(client, "rebuild_selected", [old.pk])
    assert "已重建 2026-06-15 的榜单" in response.content.decode()
    old.refresh_from_db()
    assert old.triggered_by.startswith("管理后台") and old.entry_count > 0
    response = _run(client, "rebuild_yesterday")  # nothing selected
    yesterday = timezone.localdate() - timedelta(days=1)
    assert BoardDay.objects.filter(day=yesterday).exists()
    assert f"已重建 {yesterday:%Y-%m-%d}" in response.content.decode()


def test_district_staff_read_but_cannot_rebuild(client, district_staff, member):
    client.force_login(district_staff)
    BoardDay.objects.create(day=DAY, triggered_by="旧")
    page = client.get(changelist(BoardDay)).content.decode()
    assert "重建昨日榜单" not in page
    _run(client, "rebuild_yesterday")
    assert BoardDay.objects.count() == 1
    assert BoardDay.objects.get().triggered_by == "旧"


@pytest.mark.parametrize("model", [BoardDay, BoardEntry, CockpitFigures])
def test_a_secretary_and_an_outsider_see_nothing(client, model, staff_secretary, resident):
    client.force_login(staff_secretary)
    assert client.get(changelist(model)).status_code == 403
    assert _run(client, "rebuild_yesterday").status_code in (403, 200)
    assert not BoardDay.objects.exists()
    client.force_login(resident)  # not staff: the admin sends them to sign in
    assert client.get(changelist(model)).status_code == 302
    client.logout()
    assert client.get(changelist(model)).status_code == 302
