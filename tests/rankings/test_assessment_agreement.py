"""The assessment sheets against the boards and the cockpit on a generated city: the same
minutes, services, outcomes, likes, headcounts, points and ranks, to the minute."""

from __future__ import annotations

import pytest

from grids.models import Member, Post
from rankings.assessment import selectors
from rankings.assessment.access import node_for
from rankings.assessment.periods import Period, current_period
from rankings.cockpit.figures import collect
from rankings.cockpit.rollup import Rollup
from rankings.models import Board, BoardEntry, MemberStars
from rankings.services import board_rebuild
from rankings.services.stars import member_stars_recompute
from tests.rankings.cockpit_support import staff, yesterday

pytestmark = [pytest.mark.slow, pytest.mark.django_db, pytest.mark.usefixtures("generated_city")]


@pytest.fixture
def built():
    """Stars (which also store the quota minutes of the generated records), the boards and the
    cockpit's counts, all for yesterday; the sheets of this year."""
    day = yesterday()
    member_stars_recompute(year=day.year)
    board_rebuild(day=day, triggered_by="test")
    city = staff(Post.Role.CITY_STAFF)
    return {"day": day, "city": city, "period": Period(day.year), "figures": collect(day)}


def board(name: str, day) -> dict[int, BoardEntry]:
    return {e.subject_id: e for e in BoardEntry.objects.filter(day=day, board=name)}


def test_units_agree_with_the_units_board(built):
    day, period = built["day"], built["period"]
    sheets = selectors.unit_sheets(built["city"], period)
    entries = board(Board.UNITS, day)
    assert len(sheets) == len(entries) > 10
    assert sum(s["minutes"] for s in sheets) > 1000
    for s in sheets:
        e = entries[s["id"]]
        got = (s["minutes"], s["services"], s["outcomes"], s["likes"], s["members"], s["points"])
        assert got == (e.minutes, e.services, e.outcomes, e.likes, e.headcount, e.points), s["name"]
        assert (s["rank"], s["parent_rank"]) == (e.rank, e.district_rank), s["name"]
        assert s["per_capita"] == e.per_capita
    # One unit's sheet, read alone, is the same row with the same city rank.
    one = sheets[len(sheets) // 2]
    assert selectors.unit_sheet(one["id"], period) == one


def test_communities_agree_with_the_communities_board_and_the_cockpit(built):
    day, period, figures = built["day"], built["period"], built["figures"]
    city = node_for(built["city"], "city", None)
    districts = selectors.child_sheets(built["city"], city, period)
    communities = selectors.node_sheets(built["city"], "community", period)
    entries = board(Board.COMMUNITIES, day)
    assert len(communities) == len(entries) == len(figures.communities)
    for s in communities:
        e = entries[s["id"]]
        got = (s["minutes"], s["services"], s["outcomes"], s["likes"], s["members"], s["points"], s["rank"])
        assert got == (e.minutes, e.services, e.outcomes, e.likes, e.headcount, e.points, e.rank), s["name"]
        counted = figures.year.get(s["id"], {"minutes": 0, "participations": 0})
        assert (s["minutes"], s["services"]) == (counted["minutes"], counted["participations"]), s["name"]
        members = figures.members.get(s["id"], {"registered": 0, "met_hours": 0})
        assert (s["members"], s["met_hours"]) == (members["registered"], members["met_hours"]), s["name"]

    # Streets, districts and the city sum their communities, and the cockpit shows the same.
    rollup = Rollup(figures)
    quarter = current_period("quarter", day)
    for level in ("street", "district"):
        sheets = selectors.node_sheets(built["city"], level, period)
        visits = {s["id"]: s for s in selectors.node_sheets(built["city"], level, quarter)}
        assert len(sheets) == len(figures.streets if level == "street" else figures.districts)
        for s in sheets:
            cockpit = rollup.scope_data(level, s["id"])
            mine = [c for c in communities if c["id"] in set(rollup.communities_of(level, s["id"]))]
            assert s["minutes"] == sum(c["minutes"] for c in mine)
            assert s["services"] == cockpit["totals"]["participations"]
            assert s["hours"] == cockpit["totals"]["hours"]
            assert s["members"] == cockpit["totals"]["members_registered"] == cockpit["quota"]["members"]
            assert s["met_hours"] == cockpit["quota"]["met_hours"]
            assert visits[s["id"]]["met_visits"] == cockpit["quota"]["visited"]
    total = selectors.total(districts, city, period)
    whole = rollup.scope_data("city")
    assert total["minutes"] == sum(c["minutes"] for c in communities)
    assert total["hours"] == whole["totals"]["hours"]
    assert total["members"] == whole["totals"]["members_registered"]
    assert total["met_hours"] == whole["quota"]["met_hours"] > 0


def test_stars_distribution_counts_every_members_stars(built):
    sheets = selectors.unit_sheets(built["city"], built["period"])
    stars = {
        n: MemberStars.objects.filter(year=built["period"].year, stars=n, member__unit__isnull=False).count()
        for n in range(1, 6)
    }
    for n in range(1, 6):
        assert sum(s["stars"][str(n)] for s in sheets) == stars[n]
    assert sum(s["stars"]["unrated"] for s in sheets) == 0
    assert sum(s["members"] for s in sheets) == Member.objects.filter(unit__isnull=False).count()
