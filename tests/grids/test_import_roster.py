"""A unit's roster import: all or nothing, the report, the dry run, audit and event rows, scoping,
bad files, and a bounded number of queries."""

import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from core.models import AuditEntry
from grids.imports import roster
from grids.models import ImportRun, Member, Registration, RegistrationEvent
from grids.services.imports import import_report_build, import_upload
from tests.accounts.factories import UserFactory
from tests.grids.factories import MemberFactory, RegistrationFactory
from tests.grids.import_support import person, roster_world, roster_xlsx, upload, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(community):
    return roster_world(community)


def _import(w, data, *, dry_run=False, actor=None):
    return import_upload(
        actor=actor or w.secretary, kind="roster", unit=w.unit, data=data, file_name="名册.xlsx", dry_run=dry_run
    )


def test_clean_file_imports_every_row_with_audit_and_events(w):
    label = roster.community_label(w.community)
    run = _import(w, roster_xlsx([person(1, community=label), person(2), person(3, kind="团员青年")]))
    assert run.status == ImportRun.Status.DONE, run.errors
    assert run.summary == {
        "members_created": 3,
        "users_created": 3,
        "members_changed": 0,
        "registrations_created": 1,
        "unchanged": 0,
    }
    members = Member.objects.filter(unit=w.unit).select_related("user").order_by("user__phone")
    assert [(m.user.name, m.user.phone, m.kind) for m in members] == [
        ("党员1", "13700000001", "in_service"),
        ("党员2", "13700000002", "in_service"),
        ("党员3", "13700000003", "youth_league"),
    ]
    assert members[0].skills == ["teacher", "doctor"]
    assert members[0].user.name_initials  # computed as a save would
    reg = Registration.objects.get(member=members[0])
    assert (reg.community, reg.status, reg.decided_by) == (w.community, "pending", w.secretary)
    assert list(reg.choices.values_list("community_id", "rank")) == [(w.community.pk, 1)]
    event = RegistrationEvent.objects.get(registration=reg)
    assert (event.kind, event.to_status, event.actor) == ("self_selected", "pending", w.secretary)
    created = AuditEntry.objects.filter(action="created", actor_id=w.secretary.pk)
    assert created.filter(object_type="grids.member").count() == 3
    assert created.filter(object_type="accounts.user").count() == 3
    assert created.filter(object_type="grids.registration").count() == 1
    summary = AuditEntry.objects.get(action="event", object_type="grids.unit", object_id=str(w.unit.pk))
    assert "新建 3 人" in summary.note


def test_second_import_updates_own_members_and_counts_unchanged(w):
    _import(w, roster_xlsx([person(1), person(2)]))
    row = person(1)
    row[2], row[4] = "团员青年", "新地址"
    run = _import(w, roster_xlsx([row, person(2)]))
    assert run.status == "done"
    assert run.summary["members_changed"] == 1 and run.summary["unchanged"] == 1
    m = Member.objects.get(user__phone="13700000001")
    assert (m.kind, m.home_address) == ("youth_league", "新地址")
    change = AuditEntry.objects.filter(action="changed", object_type="grids.member", object_id=str(m.pk)).get()
    assert change.changes["kind"] == ["in_service", "youth_league"]


def test_one_bad_row_imports_nothing_and_reports_it(w):
    MemberFactory(user=UserFactory(phone="13700000009"), unit=w.other_unit)
    rows = [person(1), ["", "12345", "队长", "飞行", "", "不存在社区"], person(1), person(9)]
    before = (User.objects.count(), Member.objects.count(), AuditEntry.objects.count())
    run = _import(w, roster_xlsx(rows))
    assert run.status == ImportRun.Status.REJECTED
    assert (User.objects.count(), Member.objects.count(), AuditEntry.objects.count()) == before
    assert [(n, col) for n, col, _ in run.errors] == [
        (3, "姓名"),
        (3, "手机号"),
        (3, "类别"),
        (3, "专长"),
        (3, "报到社区"),
        (4, "手机号"),
        (5, "手机号"),
    ]
    messages = {(n, col): msg for n, col, msg in run.errors}
    assert "与第 2 行重复" in messages[(4, "手机号")]
    assert "其他单位" in messages[(5, "手机号")]
    assert "韶关市卫健局" not in messages[(5, "手机号")]  # another unit's name is not given away

    book = load_workbook(io.BytesIO(import_report_build(run=run)))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == ["行号", *roster.HEADERS]
    bad = sheet["C3"]  # 手机号 of Excel row 3, one column right of the row number
    assert bad.value == "12345"
    assert bad.fill.fgColor.rgb.endswith("FFC7CE")
    assert "11 位手机号" in bad.comment.text
    assert sheet["B2"].comment is None and sheet["B2"].value == "党员1"
    listing = book["错误清单"]
    assert listing.max_row == 1 + len(run.errors)


def test_dry_run_writes_nothing_but_its_run(w):
    before = (User.objects.count(), Member.objects.count(), AuditEntry.objects.count(), Registration.objects.count())
    run = _import(w, roster_xlsx([person(1, community=roster.community_label(w.community))]), dry_run=True)
    assert run.status == ImportRun.Status.CHECKED and run.dry_run
    assert run.summary["members_created"] == 1 and run.summary["registrations_created"] == 1
    after = (User.objects.count(), Member.objects.count(), AuditEntry.objects.count(), Registration.objects.count())
    assert after == before


def test_existing_registration_elsewhere_is_an_error(w, other_community):
    m = MemberFactory(user=UserFactory(phone="13700000001", name="党员1"), unit=w.unit)
    RegistrationFactory(member=m, community=other_community)
    run = _import(w, roster_xlsx([person(1, community=roster.community_label(w.community))]))
    assert run.status == "rejected"
    assert run.errors[0][1] == "报到社区" and "调剂" in run.errors[0][2]


def test_registered_user_with_another_name_is_an_error(w):
    UserFactory(phone="13700000001", name="别人")
    run = _import(w, roster_xlsx([person(1)]))
    assert run.errors == [[2, "姓名", "该手机号已注册，登记的姓名与表中不符，请核实手机号。"]]


def test_query_count_does_not_grow_with_rows(w, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from grids.selectors.scope import scope_for

    label = roster.community_label(w.community)
    scope_for(w.secretary)  # read once per request, not per import: warmed before counting
    # 5 and 40 rows: the same queries (inserts go in batches: on SQLite of 999 values, so 40 rows
    # of twelve-column audit rows still fit one).
    with CaptureQueriesContext(connection) as small:
        _import(w, roster_xlsx([person(i, community=label) for i in range(1, 6)]))
    with CaptureQueriesContext(connection) as large:
        _import(w, roster_xlsx([person(i, community=label) for i in range(100, 140)]))
    assert len(large) == len(small)
    with django_assert_max_num_queries(len(small)):
        _import(w, roster_xlsx([person(i) for i in range(200, 240)]))


# --- bad files ---------------------------------------------------------------------------------


def _post(client, w, data, name="名册.xlsx", action="import"):
    client.force_login(w.secretary)
    url = reverse("grids:import_roster", args=[w.unit.pk])
    return client.post(url, {"file": upload(data, name), "action": action})


def _bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (201 * 1024 * 1024))
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\n1 0 obj<<>>endobj\n", "PDF"),
        (b"PK\x03\x04 this is not really a zip", "损坏"),
        (b"just text", "不是 Excel 工作簿"),
        ("bomb", "解压后超过 200 MB"),
        (xlsx(["名字", "电话"], [["a", "b"]]), "表头不对：缺少“姓名、手机号、类别”"),
    ],
    ids=["renamed-pdf", "corrupt", "text", "zip-bomb", "wrong-headers"],
)
def test_bad_files_are_refused_with_a_message_and_change_nothing(client, w, data, says):
    data = _bomb() if data == "bomb" else data
    before = (ImportRun.objects.count(), Member.objects.count(), AuditEntry.objects.count())
    response = _post(client, w, data)
    assert response.status_code == 400
    assert says in response.content.decode()
    assert (ImportRun.objects.count(), Member.objects.count(), AuditEntry.objects.count()) == before


def test_a_100_mb_file_is_refused_before_it_is_read(client, w):
    response = _post(client, w, b"PK" + b"\0" * (100 * 1024 * 1024))
    assert response.status_code == 400
    assert "超过 20 MB" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_rejected_uploads_are_purged_after_a_day(w):
    from datetime import timedelta

    from django.utils import timezone

    from grids.tasks import purge_import_uploads

    run = _import(w, roster_xlsx([["x", "1"]]))
    assert run.upload is not None and import_report_build(run=run)
    assert purge_import_uploads() == 0
    ImportRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(days=2))
    assert purge_import_uploads() == 1
    assert import_report_build(run=run) is None
