"""The names a download's rows carry, looked up beside the rows rather than joined into them.

A download pages through one table by primary key (``core.exports.keyset_pages``); the names of
places and units are read once per download (a few thousand rows for the whole city) and people
once per page by primary key. Every query is then a single-table index lookup, whose plan does
not depend on the planner's estimate of a join.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from accounts.models import User
from grids.models import Community, District, Grid, Member, Street, Unit

NO_PLACE = ("", "", "")
DENSE = 4  # ids spread over at most this many times their number are read as a range


class Names:
    def __init__(self):
        self._places: dict[int, tuple[str, str, str]] | None = None
        self._units: dict[int, str] | None = None
        # Members met so far: bounded by the people of the node, not by the rows of the download.
        self._members: dict[int, tuple[str, str, str]] = {}

    def places(self) -> dict[int, tuple[str, str, str]]:
        """community id → (district, street, community): three queries, once."""
        if self._places is None:
            districts = dict(District.objects.order_by().values_list("pk", "name"))
            streets = {
                pk: (districts.get(d, ""), name)
                for pk, name, d in Street.objects.order_by().values_list("pk", "name", "district_id")
            }
            self._places = {
                pk: (*streets.get(s, ("", "")), name)
                for pk, name, s in Community.objects.order_by().values_list("pk", "name", "street_id")
            }
        return self._places

    def place(self, community_id: int | None) -> tuple[str, str, str]:
        return self.places().get(community_id, NO_PLACE) if community_id else NO_PLACE

    def units(self) -> dict[int, str]:
        """unit id → name: one query, once."""
        if self._units is None:
            self._units = dict(Unit.objects.order_by().values_list("pk", "name"))
        return self._units

    def unit(self, unit_id: int | None) -> str:
        return self.units().get(unit_id, "") if unit_id else ""

    @staticmethod
    def users(ids: Iterable[int | None]) -> dict[int, tuple[str, str]]:
        """user id → (name, phone) of every id given (and maybe of others, see ``by_ids``): one query."""
        return {pk: (n, p) for pk, n, p in by_ids(User.objects.all(), ids).values_list("pk", "name", "phone")}

    def members(self, ids: Iterable[int]) -> dict[int, tuple[str, str, str]]:
        """member id → (name, phone, unit), every member of the download met so far: two queries
        for those not met before, none when every one was."""
        new = set(ids) - self._members.keys()
        if new:
            rows = [r for r in by_ids(Member.objects.all(), new).values_list("pk", "user_id", "unit_id") if r[0] in new]
            users = self.users(u for _, u, _ in rows)
            self._members.update({pk: (*users.get(u, ("", "")), self.unit(unit)) for pk, u, unit in rows})
        return self._members

    @staticmethod
    def grids(ids: Iterable[int | None]) -> dict[int, str]:
        """grid id → name of every id given (and maybe of others, see ``by_ids``): one query."""
        return dict(by_ids(Grid.objects.all(), ids).values_list("pk", "name"))


def by_ids(queryset: QuerySet, ids: Iterable[int | None]) -> QuerySet:
    """The rows of ``queryset`` with these primary keys, and maybe others: none (no query) for no id.

    Ids close together (a page of members registered one after another, their grids) are read as
    a range — one index condition instead of thousands of parameters to bind and match — and the
    rows in between come too, never more than ``DENSE`` times as many as asked for: callers look
    rows up by key."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return queryset.none()
    lo, hi = min(wanted), max(wanted)
    where = Q(pk__gte=lo, pk__lte=hi) if hi - lo < DENSE * len(wanted) else Q(pk__in=wanted)
    return queryset.filter(where).order_by()
