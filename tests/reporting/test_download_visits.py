"""The visits download (到社区报到记录), and the ledger downloads' query count."""

from __future__ import annotations

import datetime as dt

from core.exports import beijing, build
from reporting import downloads
from tests.download_support import download
from tests.grids.factories import MemberFactory
from tests.reporting.factories import SAT_9, ServiceRecordFactory, VisitFactory

PERIOD = {"start": "2026-11-01", "end": "2026-11-30"}


def test_visits_cell_by_cell(client, secretary, community, other_community, placed):
    visit = VisitFactory(member=placed, community=community)
    VisitFactory(member=placed, community=other_community, visited_at=SAT_9 - dt.timedelta(days=2))
    VisitFactory(member=placed, community=community, visited_at=SAT_9 - dt.timedelta(days=40))
    client.force_login(secretary)
    _, rows = download(client, "visits", node=f"community:{community.pk}", **PERIOD)
    assert rows[0] == [
        "记录编号", "姓名", "手机号", "所在单位", "区/县(市)", "街道/镇", "社区", "方式", "报到时间（北京时间）", "季度",
    ]  # fmt: skip
    assert rows[1:] == [
        [
            str(visit.pk), placed.user.name, placed.user.phone, placed.unit.name, community.street.district.name,
            community.street.name, community.name, "扫码", beijing(visit.visited_at).strftime("%Y-%m-%d %H:%M:%S"),
            "2026Q4",
        ]
    ]  # fmt: skip


def test_the_ledger_reads_in_keyset_pages_with_fixed_queries(
    monkeypatch, admin_user, community, placed, django_assert_num_queries
):
    monkeypatch.setattr(downloads, "PAGE", 2)
    for n in range(5):  # a member each: every page looks its people up
        ServiceRecordFactory(member=MemberFactory(), community=community, started_at=SAT_9 - dt.timedelta(days=n))
        VisitFactory(member=MemberFactory(), community=community, visited_at=SAT_9 - dt.timedelta(days=n))
    params = {"node": f"community:{community.pk}", **PERIOD}
    records = build("records", user=admin_user, params=params)
    # once: id bounds, places (3), units; 3 pages of 2, 2 and 1 (no OFFSET) × (rows, members, users);
    # a member met on an earlier page is not looked up again
    with django_assert_num_queries(5 + 3 * 3):
        assert len(list(records.rows())) == 5
    visits = build("visits", user=admin_user, params=params)
    with django_assert_num_queries(5 + 3 * 3):
        assert len(list(visits.rows())) == 5
