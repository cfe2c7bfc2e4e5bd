"""The import pages: the template, the upload with 预检 and 导入, the run and its report, and who may see them."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.models import AuditEntry
from grids.imports import roster
from grids.models import ImportRun, Member, Post
from tests.accounts.factories import UserFactory
from tests.grids.factories import MemberFactory, PostFactory, StreetFactory
from tests.grids.import_support import person, roster_world, roster_xlsx, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(community):
    return roster_world(community)


def _roster_url(w, name="grids:import_roster"):
    return reverse(name, args=[w.unit.pk])


def test_template_has_instructions_allowed_values_and_drop_downs(client, w):
    client.force_login(w.secretary)
    response = client.get(_roster_url(w, "grids:import_roster_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["名册", "说明", "可选值"]
    assert [c.value for c in book["名册"][1]] == roster.HEADERS
    assert "党员名册导入说明" in book["说明"]["A1"].value
    allowed = book["可选值"]
    columns = {allowed.cell(row=1, column=j).value: j for j in range(1, allowed.max_column + 1)}
    communities = [allowed.cell(row=r, column=columns["报到社区"]).value for r in range(2, allowed.max_row + 1)]
    assert roster.community_label(w.community) in communities
    kinds = [allowed.cell(row=r, column=columns["类别"]).value for r in range(2, 8)]
    assert kinds[0] == "在职党员"
    lists = [dv.formula1 for dv in book["名册"].data_validations.dataValidation]
    assert any("可选值" in f for f in lists)


def test_upload_check_then_import_through_the_page(client, w):
    client.force_login(w.organiser)
    data = roster_xlsx([person(1), person(2)])
    response = client.post(_roster_url(w), {"file": upload(data), "action": "check"})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("grids:import_run", args=[run.pk])
    page = client.get(response["Location"]).content.decode()
    assert "预检通过" in page and not Member.objects.filter(unit=w.unit).exists()
    response = client.post(_roster_url(w), {"file": upload(data), "action": "import"})
    page = client.get(response["Location"]).content.decode()
    assert "已导入" in page and Member.objects.filter(unit=w.unit).count() == 2
    listing = client.get(_roster_url(w)).content.decode()
    assert "名册.xlsx（预检）" in listing


def test_rejected_upload_shows_rows_and_serves_the_report_with_an_audit_row(client, w):
    client.force_login(w.secretary)
    response = client.post(
        _roster_url(w), {"file": upload(roster_xlsx([person(1), ["李四", "123", "在职党员"]])), "action": "import"}
    )
    page = client.get(response["Location"]).content.decode()
    assert "有 1 行数据有误，整个文件未导入" in page and "第 3 行" in page
    run = ImportRun.objects.get()
    report = client.get(reverse("grids:import_report", args=[run.pk]))
    assert report.status_code == 200
    assert load_workbook(io.BytesIO(report.content))["错误清单"]["B2"].value == "手机号"
    assert AuditEntry.objects.filter(action="export", object_type="grids.importrun", object_id=str(run.pk)).exists()


@pytest.mark.parametrize("who", ["outsider", "neighbour", "member", "community_secretary", "street_officer"])
def test_others_cannot_import_a_units_roster(client, w, who, street_officer, secretary):
    user = {
        "outsider": UserFactory(name="路人"),
        "neighbour": w.neighbour,
        "member": MemberFactory(unit=w.unit).user,
        "community_secretary": secretary,
        "street_officer": street_officer,
    }[who]
    client.force_login(user)
    assert client.get(_roster_url(w)).status_code == 403
    assert client.get(_roster_url(w, "grids:import_roster_template")).status_code == 403
    response = client.post(_roster_url(w), {"file": upload(roster_xlsx([person(1)])), "action": "import"})
    assert response.status_code == 403
    assert not ImportRun.objects.exists() and not Member.objects.filter(user__phone="13700000001").exists()


def test_a_run_and_its_report_are_hidden_from_other_units(client, w):
    client.force_login(w.secretary)
    client.post(_roster_url(w), {"file": upload(roster_xlsx([["x", "1"]])), "action": "import"})
    run = ImportRun.objects.get()
    client.force_login(w.neighbour)
    assert client.get(reverse("grids:import_run", args=[run.pk])).status_code == 404
    assert client.get(reverse("grids:import_report", args=[run.pk])).status_code == 404


def test_street_pages_are_for_the_street_and_above(client, street, street_officer, district_officer, secretary):
    other = StreetFactory(name="邻街道")
    neighbour = UserFactory(name="邻街道干部")
    PostFactory(user=neighbour, role=Post.Role.STREET_STAFF, community=None, street=other)
    url = reverse("grids:import_grids", args=[street.pk])
    for user, status in [(street_officer, 200), (district_officer, 200), (neighbour, 403), (secretary, 403)]:
        client.force_login(user)
        assert client.get(url).status_code == status, user
    client.force_login(street_officer)
    book = load_workbook(io.BytesIO(client.get(reverse("grids:import_grids_template", args=[street.pk])).content))
    assert book.sheetnames == ["网格", "说明", "可选值"]
    home = client.get(reverse("grids:imports")).content.decode()
    assert "新华街道" in home and "邻街道" not in home


def test_import_home_refuses_those_with_nothing_to_import(client, secretary):
    client.force_login(secretary)
    assert client.get(reverse("grids:imports")).status_code == 403
