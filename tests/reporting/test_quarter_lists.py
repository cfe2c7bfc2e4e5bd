"""A month before each quarter ends, each community's (and unit's) list of members with no
report-for-duty visit this quarter goes to its secretaries, once per quarter."""

from datetime import date, datetime

import pytest

from grids.models import Member, Post
from notifications.kinds import QUARTER_UNREPORTED
from notifications.models import Notification
from reporting.models import QuarterList
from reporting.selectors.quota import unreported_members
from reporting.services.reminders import quarter_lists_send, unit_secretaries
from reporting.worktime import SHANGHAI
from tests.accounts.factories import UserFactory
from tests.grids.factories import MemberFactory, PostFactory, UnitFactory
from tests.reporting.factories import VisitFactory

pytestmark = pytest.mark.django_db


def _lists():
    return list(Notification.objects.filter(kind=QUARTER_UNREPORTED).order_by("user_id"))


@pytest.fixture
def unit():
    return UnitFactory(name="韶关市测试局")


@pytest.fixture
def roster(community, other_community, secretary, unit):
    first = UserFactory(name="第一书记")
    PostFactory(user=first, role=Post.Role.FIRST_SECRETARY, community=community)
    missing = [MemberFactory(community=community, unit=unit, user=UserFactory(name=n)) for n in ("张三", "李四")]
    seen = MemberFactory(community=community, unit=unit, user=UserFactory(name="王五"))
    VisitFactory(member=seen, community=community, visited_at=datetime(2026, 10, 9, 10, tzinfo=SHANGHAI))
    # Last quarter's visit does not count for this one.
    VisitFactory(member=missing[0], community=community, visited_at=datetime(2026, 9, 30, 10, tzinfo=SHANGHAI))
    # Another community, with nobody to receive its list.
    MemberFactory(community=other_community, unit=unit, user=UserFactory(name="赵六"))
    # Not named: a kind the quota is not for.
    MemberFactory(community=community, kind=Member.Kind.RESIDENT, unit=None, user=UserFactory(name="居民"))
    return {"missing": missing, "first": first}


def test_nothing_before_a_month_before_the_quarter_ends(roster):
    assert quarter_lists_send(today=date(2026, 11, 30)) == {"communities": 0, "units": 0}
    assert not QuarterList.objects.exists() and not _lists()


def test_the_list_goes_to_the_communitys_secretaries_once(roster, community, secretary):
    assert quarter_lists_send(today=date(2026, 12, 1)) == {"communities": 1, "units": 0}
    sent = _lists()
    assert {n.user_id for n in sent} == {secretary.pk, roster["first"].pk}
    n = sent[0]
    assert n.title == "工业中社区本季度还有 2 名党员未到社区报到"
    assert n.body == "请于 12 月 31 日前督促报到：张三、李四。"
    assert n.url == "/work/unreported/"
    row = QuarterList.objects.get()
    assert (row.quarter, row.community_id, row.unit_id, row.members, row.recipients) == (
        "2026Q4",
        community.pk,
        None,
        2,
        2,
    )
    # The daily job runs on: the quarter's list is not sent again.
    assert quarter_lists_send(today=date(2026, 12, 1)) == {"communities": 0, "units": 0}
    assert quarter_lists_send(today=date(2026, 12, 20)) == {"communities": 0, "units": 0}
    assert len(_lists()) == 2


def test_a_missed_day_is_caught_up_and_the_next_quarter_sends_again(roster, other_community):
    assert quarter_lists_send(today=date(2026, 12, 3))["communities"] == 1
    # A secretary appointed later in the window gets their community's list on the next run.
    late = PostFactory(role=Post.Role.SECRETARY, community=other_community).user
    assert quarter_lists_send(today=date(2026, 12, 4))["communities"] == 1
    assert Notification.objects.get(kind=QUARTER_UNREPORTED, user=late).body.endswith("赵六。")
    assert quarter_lists_send(today=date(2027, 2, 28))["communities"] == 0
    assert quarter_lists_send(today=date(2027, 3, 1))["communities"] == 2
    assert set(QuarterList.objects.values_list("quarter", flat=True)) == {"2026Q4", "2027Q1"}


def test_a_long_list_is_cut_with_the_count(community, secretary):
    for i in range(120):
        MemberFactory(community=community, user=UserFactory(name=f"党员{i:03d}"))
    quarter_lists_send(today=date(2026, 12, 1))
    (n,) = _lists()
    assert len(n.body) <= 500 and n.body.endswith("…等 120 人。") and "党员000" in n.body


def test_unit_lists_wait_for_the_units_secretary(roster, unit):
    assert not unit_secretaries(unit).exists()
    quarter_lists_send(today=date(2026, 12, 1))
    assert not QuarterList.objects.filter(unit__isnull=False).exists()
    # Once the unit's party organisation has its secretary and organiser, the list goes to both,
    # once; a post on another unit, or a holder whose account is closed, gets nothing.
    boss, organiser, gone = (UserFactory(name=n) for n in ("单位书记", "组织委员", "已停用"))
    PostFactory(user=boss, role=Post.Role.UNIT_SECRETARY, community=None, unit=unit)
    PostFactory(user=organiser, role=Post.Role.UNIT_ORGANISER, community=None, unit=unit)
    PostFactory(user=gone, role=Post.Role.UNIT_ORGANISER, community=None, unit=unit)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    PostFactory(user=UserFactory(name="别单位书记"), role=Post.Role.UNIT_SECRETARY, community=None, unit=UnitFactory())
    assert list(unit_secretaries(unit)) == [boss, organiser]
    assert quarter_lists_send(today=date(2026, 12, 2)) == {"communities": 0, "units": 1}
    (n,) = Notification.objects.filter(kind=QUARTER_UNREPORTED, user=boss)
    assert n.title == "韶关市测试局本季度还有 3 名党员未到社区报到" and "赵六" in n.body
    assert Notification.objects.filter(kind=QUARTER_UNREPORTED, user=organiser).count() == 1
    assert not Notification.objects.filter(kind=QUARTER_UNREPORTED, user=gone).exists()
    assert quarter_lists_send(today=date(2026, 12, 3)) == {"communities": 0, "units": 0}


def test_the_unreported_selection_is_one_query(roster, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = sorted(unreported_members("2026Q4").values_list("user__name", flat=True))
    assert names == ["张三", "李四", "赵六"]
