"""The unit party organisation's pages and API (rankings.units): what the unit's secretary and
organiser see, who else is refused (a signed-in outsider, the neighbouring unit's secretary, the
secretary of the community the members serve in) and that every list's queries stay flat."""

import pytest
from django.urls import reverse
from django.utils import timezone

from grids.models import Registration
from grids.selectors.units import UNIT_DENIED
from rankings.models import MemberStars
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.grids.factories import MemberFactory, RegistrationFactory
from tests.unit_support import build_unit_world

pytestmark = pytest.mark.django_db
V1 = "/api/v1"
LISTS = ("roster", "behind", "waiting-registrations")
PAGES = ("units:home", "units:members")
REFUSED = ("outsider", "neighbour", "community_secretary")


@pytest.fixture
def w(community):
    return build_unit_world(community)


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _page(client, name, unit_id, **query):
    return client.get(reverse(name, kwargs={"unit_id": unit_id}), query)


def _web(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


# --- API ------------------------------------------------------------------------------------------


def test_roster_lists_every_member_of_the_unit_wherever_they_serve(w):
    MemberStars.objects.create(member=w.near, year=timezone.localdate().year, stars=4)
    body = client_for(w.secretary).get(f"{V1}/units/{w.unit.pk}/roster/").json()
    rows = {r["member"]["id"]: r for r in body["results"]}
    assert set(rows) == {w.near.pk, w.far.pk, w.waiting.pk} and body["count"] == 3
    near, far, waiting = rows[w.near.pk], rows[w.far.pk], rows[w.waiting.pk]
    assert near["member"]["community_name"] == "工业中社区" and far["member"]["community_name"] == "十里亭社区"
    assert near["registration"]["status"] == "placed" and waiting["registration"]["status"] == "pending"
    assert near["quota"]["counted_hours"] == 20.0 and near["quota"]["quota_met"]
    assert near["behind"] is None and near["stars"] == 4
    assert far["behind"]["hours_behind"] and far["stars"] is None
    assert far["behind"]["reasons"] and all(chinese(r) for r in far["behind"]["reasons"])


def test_behind_lists_only_the_units_members_behind(w):
    for user in (w.secretary, w.organiser):
        body = client_for(user).get(f"{V1}/units/{w.unit.pk}/behind/").json()
        assert {r["member"]["id"] for r in body["results"]} == {w.far.pk, w.waiting.pk}
        assert w.stranger.pk not in {r["member"]["id"] for r in body["results"]}


def test_waiting_registrations_are_the_units_pending_and_unplaced(w):
    unplaced = MemberFactory(unit=w.unit)
    RegistrationFactory(member=unplaced, community=None, status=Registration.Status.UNPLACED)
    RegistrationFactory(member=MemberFactory(unit=w.other_unit), community=w.community)
    body = client_for(w.secretary).get(f"{V1}/units/{w.unit.pk}/waiting-registrations/").json()
    assert [(r["member"]["id"], r["status"]) for r in body["results"]] == [
        (w.waiting.pk, "pending"),
        (unplaced.pk, "unplaced"),
    ]
    assert body["results"][1]["community_name"] == ""


@pytest.mark.parametrize("endpoint", LISTS)
@pytest.mark.parametrize("who", REFUSED)
def test_others_are_refused_in_chinese(w, endpoint, who):
    resp = client_for(getattr(w, who)).get(f"{V1}/units/{w.unit.pk}/{endpoint}/")
    assert resp.status_code == 403
    assert resp.json() == {"detail": UNIT_DENIED, "code": "permission_denied"}


@pytest.mark.parametrize("endpoint", LISTS)
def test_anonymous_and_unknown_units(w, api, endpoint):
    assert api.get(f"{V1}/units/{w.unit.pk}/{endpoint}/").status_code == 401
    resp = client_for(w.secretary).get(f"{V1}/units/{w.other_unit.pk + 1000}/{endpoint}/")
    assert resp.status_code == 404 and resp.json()["detail"] == "单位不存在。"
    # The neighbouring unit's secretary is the actor for their own unit.
    assert client_for(w.neighbour).get(f"{V1}/units/{w.other_unit.pk}/{endpoint}/").status_code == 200


@pytest.mark.parametrize("endpoint", LISTS)
def test_the_lists_change_nothing(w, endpoint):
    resp = client_for(w.secretary).post(f"{V1}/units/{w.unit.pk}/{endpoint}/", {}, format="json")
    assert resp.status_code == 405
    assert Registration.objects.get(member=w.waiting).status == Registration.Status.PENDING


def _grow(w, n: int) -> None:
    for _ in range(n):
        m = MemberFactory(unit=w.unit)
        RegistrationFactory(member=m, community=w.community)
        MemberStars.objects.create(member=m, year=timezone.localdate().year, stars=2)


@pytest.mark.parametrize("endpoint", LISTS)
def test_api_lists_query_counts_stay_flat(w, endpoint, django_assert_max_num_queries):
    c = client_for(w.secretary)
    url = f"{V1}/units/{w.unit.pk}/{endpoint}/"
    with django_assert_max_num_queries(10):
        assert c.get(url).status_code == 200
    _grow(w, 12)
    with django_assert_max_num_queries(10):
        assert c.get(url).status_code == 200


# --- pages ----------------------------------------------------------------------------------------


def test_workbench_shows_who_is_behind_and_who_waits(w):
    resp = _page(_web(w.secretary), "units:home", w.unit.pk)
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "王远" in html and "陈候" in html  # behind; waiting (and behind)
    assert "赵外" not in html  # another unit's member in the same community
    assert "时长落后" in html and "待社区编入" in html


def test_roster_page_and_its_behind_filter(w):
    c = _web(w.organiser)
    html = _page(c, "units:members", w.unit.pk).content.decode()
    assert "李近" in html and "王远" in html and "赵外" not in html
    html = _page(c, "units:members", w.unit.pk, behind="1").content.decode()
    assert "王远" in html and "李近" not in html


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("who", REFUSED)
def test_pages_refuse_others_in_chinese(w, name, who):
    resp = _page(_web(getattr(w, who)), name, w.unit.pk)
    assert resp.status_code == 403
    assert UNIT_DENIED in resp.content.decode()
    assert "王远" not in resp.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_pages_for_anonymous_and_unknown_units(w, client, name):
    resp = _page(client, name, w.unit.pk)
    assert resp.status_code == 302 and "/login/" in resp["Location"]
    resp = _page(_web(w.secretary), name, w.other_unit.pk + 1000)
    assert resp.status_code == 404 and "单位不存在。" in resp.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_page_query_counts_stay_flat(w, name, django_assert_max_num_queries):
    c = _web(w.secretary)
    with django_assert_max_num_queries(14):
        assert _page(c, name, w.unit.pk).status_code == 200
    _grow(w, 12)
    with django_assert_max_num_queries(14):
        assert _page(c, name, w.unit.pk).status_code == 200


def test_a_unit_secretary_lands_on_their_unit(w):
    c = _web(w.secretary)
    resp = c.get("/")
    assert resp.status_code == 302 and resp["Location"] == reverse("units:mine")
    resp = c.get(reverse("units:mine"))
    assert resp.status_code == 302 and resp["Location"] == reverse("units:home", kwargs={"unit_id": w.unit.pk})
    # Their own home page is one link away, and links back to the unit.
    html = c.get("/", {"personal": "1"}).content.decode()
    assert reverse("units:mine") in html


def test_staff_and_others_keep_their_home(w):
    for user in (w.community_secretary, w.outsider):
        assert _web(user).get("/").status_code == 200
    resp = _web(w.outsider).get(reverse("units:mine"))
    assert resp.status_code == 403 and "您没有单位党组织的职务" in resp.content.decode()


def test_several_units_offer_a_choice(w):
    user = UserFactory()
    from tests.unit_support import unit_post

    unit_post(user, "unit_organiser", w.unit)
    unit_post(user, "unit_organiser", w.other_unit)
    html = _web(user).get(reverse("units:mine")).content.decode()
    assert "韶关市教育局" in html and "韶关市卫健局" in html
