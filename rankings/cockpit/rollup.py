"""Summing per-community counts up to a scope (the city, a district, a street) into the JSON the
cockpit draws: ``CockpitFigures.data``. The page and the API read this dict as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings

from grids.vocab import Duty
from rankings.cockpit.figures import COUNTERS, CommunityFigures

CITY_NAME = "韶关市"
FORMAT_VERSION = 1
# The level below each scope, which its per-area breakdown lists.
BELOW = {"city": ("district", "区/县(市)"), "district": ("street", "街道/镇"), "street": ("community", "社区")}


def scope_key(level: str, pk: int | None) -> str:
    return "city" if level == "city" else f"{level}:{pk}"


def percentile(values: list[float], fraction: float) -> float | None:
    """The linear-interpolation percentile of sorted ``values`` (as numpy's default), or None."""
    if not values:
        return None
    pos = (len(values) - 1) * fraction
    low = int(pos)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (pos - low)


def _hours(minutes: int) -> float:
    return round(minutes / 60, 1)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _share(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


class Rollup:
    """Sums of ``CommunityFigures`` for any scope it covers."""

    def __init__(self, figures: CommunityFigures):
        self.f = figures
        self.by_street: dict[int, list[int]] = {pk: [] for pk in figures.streets}
        for cid, c in figures.communities.items():
            self.by_street.setdefault(c["street_id"], []).append(cid)
        self.by_district: dict[int, list[int]] = {pk: [] for pk in figures.districts}
        for sid, s in figures.streets.items():
            self.by_district.setdefault(s["district_id"], []).extend(self.by_street.get(sid, []))
        # Indexed by community, so that each scope reads only its own communities' counts.
        self.weeks_of: dict[int, list[tuple[date, dict]]] = {}
        for (cid, monday), counters in figures.week.items():
            self.weeks_of.setdefault(cid, []).append((monday, counters))
        self.duties_of: dict[int, list[tuple[str, dict]]] = {}
        for (cid, duty), counters in figures.duty.items():
            self.duties_of.setdefault(cid, []).append((duty, counters))
        self.times_of: dict[int, list[tuple[str, list[float]]]] = {}
        for (cid, duty), hours in figures.response_hours.items():
            self.times_of.setdefault(cid, []).append((duty, hours))

    # --- which communities -----------------------------------------------------------------

    def communities_of(self, level: str, pk: int | None) -> list[int]:
        if level == "city":
            return list(self.f.communities)
        if level == "district":
            return self.by_district.get(pk, [])
        if level == "street":
            return self.by_street.get(pk, [])
        return [pk]

    def name_of(self, level: str, pk: int | None) -> str:
        if level == "city":
            return CITY_NAME
        table = {"district": self.f.districts, "street": self.f.streets, "community": self.f.communities}[level]
        return table[pk]["name"]

    def path_of(self, level: str, pk: int | None) -> list[dict]:
        path = [{"scope": "city", "name": CITY_NAME}]
        if level == "street":
            district_id = self.f.streets[pk]["district_id"]
            path.append({"scope": scope_key("district", district_id), "name": self.name_of("district", district_id)})
        if level != "city":
            path.append({"scope": scope_key(level, pk), "name": self.name_of(level, pk)})
        return path

    # --- sums ------------------------------------------------------------------------------

    def _sum(self, cids: Iterable[int]) -> dict:
        total = dict.fromkeys(COUNTERS, 0)
        members = {"registered": 0, "met_hours": 0, "visited": 0}
        for cid in cids:
            counters = self.f.year.get(cid)
            if counters:
                for k in COUNTERS:
                    total[k] += counters[k]
            m = self.f.members.get(cid)
            if m:
                for k in members:
                    members[k] += m[k]
        return {
            "activities": total["activities"],
            "participations": total["participations"],
            "hours": _hours(total["minutes"]),
            "counted_hours": _hours(total["counted_minutes"]),
            "requests_solved": total["requests_solved"],
            "escalations_solved": total["escalations_solved"],
            "problems_solved": total["requests_solved"] + total["escalations_solved"],
            "members_registered": members["registered"],
            "met_hours": members["met_hours"],
            "visited": members["visited"],
        }

    def _area_row(self, level: str, pk: int, cids: list[int]) -> dict:
        s = self._sum(cids)
        return {
            "scope": None if level == "community" else scope_key(level, pk),
            "name": self.name_of(level, pk),
            "activities": s["activities"],
            "participations": s["participations"],
            "hours": s["hours"],
            "problems_solved": s["problems_solved"],
            "members_registered": s["members_registered"],
            "met_hours_share": _share(s["met_hours"], s["members_registered"]),
            "visited_share": _share(s["visited"], s["members_registered"]),
        }

    def _areas(self, level: str, pk: int | None) -> dict:
        below, label = BELOW[level]
        if below == "district":
            children = [(d, self.by_district.get(d, [])) for d in self.f.districts]
        elif below == "street":
            children = [
                (s, self.by_street.get(s, [])) for s in self.f.streets if self.f.streets[s]["district_id"] == pk
            ]
        else:
            children = [(c, [c]) for c in self.by_street.get(pk, [])]
        return {"level": below, "label": label, "rows": [self._area_row(below, k, cids) for k, cids in children]}

    def _weeks(self, cids: list[int]) -> list[dict]:
        sums = {monday: dict.fromkeys(COUNTERS, 0) for monday in self.f.period.weeks}
        for cid in cids:
            for monday, counters in self.weeks_of.get(cid, ()):
                if monday in sums:
                    for k in COUNTERS:
                        sums[monday][k] += counters[k]
        rows = []
        for monday, s in sums.items():
            iso = monday.isocalendar()
            rows.append(
                {
                    "monday": monday.isoformat(),
                    "week": f"{iso.year}-W{iso.week:02d}",
                    "activities": s["activities"],
                    "participations": s["participations"],
                    "hours": _hours(s["minutes"]),
                    "requests_solved": s["requests_solved"],
                }
            )
        return rows

    def _duties(self, cids: list[int]) -> tuple[list[dict], dict]:
        sums = {duty: dict.fromkeys(COUNTERS, 0) for duty in Duty.values}
        times: dict[str, list[float]] = {duty: [] for duty in Duty.values}
        for cid in cids:
            for duty, counters in self.duties_of.get(cid, ()):
                if duty in sums:
                    for k in COUNTERS:
                        sums[duty][k] += counters[k]
            for duty, hours in self.times_of.get(cid, ()):
                if duty in times:
                    times[duty].extend(hours)
        rows = []
        for duty, label in Duty.choices:
            values = sorted(times[duty])
            rows.append(
                {
                    "duty": duty,
                    "label": label,
                    "activities": sums[duty]["activities"],
                    "participations": sums[duty]["participations"],
                    "hours": _hours(sums[duty]["minutes"]),
                    "requests_solved": sums[duty]["requests_solved"],
                    "median_hours": _round(percentile(values, 0.5)),
                    "p90_hours": _round(percentile(values, 0.9)),
                }
            )
        everything = sorted(h for values in times.values() for h in values)
        response = {
            "count": len(everything),
            "median_hours": _round(percentile(everything, 0.5)),
            "p90_hours": _round(percentile(everything, 0.9)),
        }
        return rows, response

    def _map(self, cids: list[int]) -> list[dict]:
        points = []
        for cid in cids:
            c = self.f.communities[cid]
            s = self._sum([cid])
            points.append(
                {
                    "name": c["name"],
                    "street": self.f.streets.get(c["street_id"], {}).get("name", ""),
                    "kind": c["kind"],
                    "lng": round(c["lng"], 5),
                    "lat": round(c["lat"], 5),
                    "hours": s["hours"],
                    "activities": s["activities"],
                    "participations": s["participations"],
                    "problems_solved": s["problems_solved"],
                    "members": s["members_registered"],
                }
            )
        return points

    def scope_data(self, level: str, pk: int | None = None) -> dict:
        """Everything the cockpit draws for one scope."""
        p = self.f.period
        cids = self.communities_of(level, pk)
        s = self._sum(cids)
        duties, response = self._duties(cids)
        return {
            "version": FORMAT_VERSION,
            "scope": scope_key(level, pk),
            "level": level,
            "name": self.name_of(level, pk),
            "path": self.path_of(level, pk),
            "day": p.day.isoformat(),
            "year": p.day.year,
            "period_start": date(p.day.year, 1, 1).isoformat(),
            "quarter": p.quarter,
            "totals": {
                "activities": s["activities"],
                "participations": s["participations"],
                "hours": s["hours"],
                "counted_hours": s["counted_hours"],
                "problems_solved": s["problems_solved"],
                "requests_solved": s["requests_solved"],
                "escalations_solved": s["escalations_solved"],
                "members_registered": s["members_registered"],
                "communities": len(cids),
            },
            "weeks": self._weeks(cids),
            "areas": self._areas(level, pk),
            "duties": duties,
            "response": response,
            "quota": {
                "hours": settings.QUOTA_HOURS_PER_YEAR,
                "members": s["members_registered"],
                "met_hours": s["met_hours"],
                "met_hours_share": _share(s["met_hours"], s["members_registered"]),
                "visited": s["visited"],
                "visited_share": _share(s["visited"], s["members_registered"]),
            },
            "map": self._map(cids),
        }

    def every_scope(self) -> dict[str, dict]:
        """The city, each district and each street."""
        out = {"city": self.scope_data("city")}
        for pk in self.f.districts:
            out[scope_key("district", pk)] = self.scope_data("district", pk)
        for pk in self.f.streets:
            out[scope_key("street", pk)] = self.scope_data("street", pk)
        return out
