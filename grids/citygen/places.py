"""Planning the places of the generated city: streets' locations, communities, grids and units."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from grids.citygen.common import cn_number, community_short, load, party_org_name, scatter, short_name
from grids.citygen.rows import CommunityRec, GridRec, PairingRec, UnitRec
from grids.citygen.scale import DEMO_COMMUNITY_WORDS, DISTRICT_WEIGHTS, URBAN_DISTRICTS, apportion, multinomial
from grids.geo import geography
from grids.models import Community, Grid, Street, Unit

# (name, kind code G/S/P, district name or None for 市直, (district, street) or None)
UnitSpec = tuple[str, str, str | None, tuple[str, str] | None]


class PlacesMixin:
    """Part of the city planner (``grids.citygen.plan``): everything with an address."""

    # --- places ---------------------------------------------------------------------

    def _places(self) -> None:
        """A location for every street/town: subdistricts and the county seat near the
        district's centre, other towns farther out."""
        rng = self.rng
        self.street_loc: dict[tuple[str, str], tuple[float, float]] = {}
        self.street_weight: dict[tuple[str, str], float] = {}
        for spec in geography()["districts"]:
            lat, lng = spec["centre"]
            has_subdistricts = any(s.endswith("街道") for s in spec["streets"])
            for i, name in enumerate(spec["streets"]):
                central = name.endswith("街道") or (i == 0 and not has_subdistricts)
                if central:
                    loc = scatter(rng, lat, lng, 2500)
                else:
                    far = 12_000 if spec["name"] in URBAN_DISTRICTS else 20_000
                    loc = scatter(rng, lat, lng, far)
                self.street_loc[(spec["name"], name)] = loc
                self.street_weight[(spec["name"], name)] = 5.0 if central else 1.0

    def _communities(self) -> None:
        rng, counts = self.rng, self.plan.counts
        words = [w for w in load("names.json")["community_words"] if w not in DEMO_COMMUNITY_WORDS]
        rng.shuffle(words)
        names = _unique_names(words)
        specs = geography()["districts"]
        per_district = apportion(counts["communities"], [DISTRICT_WEIGHTS[d["name"]] for d in specs])
        slots: list[tuple[str, str]] = []
        for spec, n in zip(specs, per_district, strict=True):
            keys = [(spec["name"], s) for s in spec["streets"]]
            for key, k in zip(keys, apportion(n, [self.street_weight[key] for key in keys]), strict=True):
                slots += [key] * k
        # Urban villages: mostly in the three urban districts (weighted sampling without replacement).
        keys = [rng.random() ** (1 / (3.0 if d in URBAN_DISTRICTS else 1.0)) for d, _ in slots]
        villages = set(sorted(range(len(slots)), key=lambda i: -keys[i])[: counts["urban_villages"]])
        per_member = counts["members"] / counts["communities"]
        for i, (d, s) in enumerate(slots):
            village = i in villages
            word = next(names)
            street = self.streets[(d, s)]
            lat, lng = scatter(rng, *self.street_loc[(d, s)], 1500 if street.kind == Street.Kind.TOWN else 1200)
            road = rng.choice(load("names.json")["road_words"])
            name = f"{word}村" if village else f"{word}社区"
            c = CommunityRec(
                district_name=d,
                street=street,
                name=name,
                name_initials=self.names.initials_of(name),
                kind=Community.Kind.URBAN_VILLAGE if village else Community.Kind.COMMUNITY,
                address=f"韶关市{d}{s}{word + '村委会' if village else road + str(rng.randint(1, 188)) + '号'}",
                lat=lat,
                lng=lng,
                geofence_radius_m=500 if village else 300,
                households=rng.randint(400, 2000) if village else rng.randint(1500, 6000),
                members_needed=max(10, round(per_member * rng.uniform(0.8, 1.2) / 10) * 10),
            )
            self.plan.communities.append(c)

    def _grids(self) -> None:
        rng, counts, plan = self.rng, self.plan.counts, self.plan
        comms = plan.communities
        per_comm = multinomial(rng, counts["grids_level2"] - len(comms), [c.households for c in comms])
        self.grids_of: dict[int, list[Grid]] = {}
        for c, extra in zip(comms, per_comm, strict=True):
            short = community_short(c.name)
            village = c.kind == Community.Kind.URBAN_VILLAGE
            grids = []
            for n in range(1, extra + 2):
                kind = Grid.Kind.RESIDENTIAL_GROUP
                if not village and rng.random() < 0.45:
                    kind = Grid.Kind.PROPERTY_COMPOUND
                grids.append(GridRec(community=c, level=2, kind=kind, name=f"{short}第{cn_number(n)}网格"))
            self.grids_of[id(c)] = grids
            plan.grids2 += grids
        weights = [rng.uniform(0.5, 1.5) for _ in plan.grids2]
        per_grid = multinomial(rng, counts["grids_level3"] - len(plan.grids2), weights)
        self.buildings_of: dict[int, list[Grid]] = {}
        for g, extra in zip(plan.grids2, per_grid, strict=True):
            b = [
                GridRec(community=g.community, level=3, kind=Grid.Kind.BUILDING, parent=g, name=f"{n}栋")
                for n in range(1, extra + 2)
            ]
            self.buildings_of[id(g)] = b
            plan.grids3 += b

    # --- units ----------------------------------------------------------------------

    def _unit_pool(self) -> list[UnitSpec]:
        """(name, kind, district, street) for every unit the generator can name."""
        data = load("units.json")
        pool = [(name, kind, None, None) for name, kind in data["city"]]
        specs = geography()["districts"]
        for spec in specs:
            d = spec["name"]
            police = f"韶关市公安局{short_name(d)}分局" if d in URBAN_DISTRICTS else f"{d}公安局"
            for tpl, kind in data["district"]:
                pool.append((tpl.format(d=d, s=short_name(d), p=police), kind, d, None))
        for spec in specs:
            d = spec["name"]
            for t in spec["streets"]:
                gov = "办事处" if t.endswith("街道") else "人民政府"
                for tpl, kind in data["street"]:
                    pool.append((tpl.format(d=d, t=t, gov=gov), kind, d, (d, t)))
        return pool

    def _more_schools(self, needed: int) -> list[UnitSpec]:
        """Numbered primary schools, for a scale above 1 that asks for more units than the pool has."""
        extra = []
        for n in range(4, 100):
            for spec in geography()["districts"]:
                if len(extra) == needed:
                    return extra
                extra.append((f"{spec['name']}第{cn_number(n)}小学", "P", spec["name"], None))
        return extra

    def _units(self) -> None:
        rng, plan = self.rng, self.plan
        pool = self._unit_pool()
        n = plan.counts["units"]
        if n > len(pool):
            pool += self._more_schools(n - len(pool))
        picked = sorted(rng.sample(range(len(pool)), min(n, len(pool))))
        chosen = [pool[i] for i in picked]
        for k in range(n - len(chosen)):  # beyond every name above: numbered branches
            name, kind, d, s = pool[k % len(pool)]
            chosen.append((f"{name}第{k // len(pool) + 2}分部", kind, d, s))
        kinds = {
            "G": Unit.Kind.GOVERNMENT_ORGAN,
            "S": Unit.Kind.STATE_OWNED_ENTERPRISE,
            "P": Unit.Kind.PUBLIC_INSTITUTION,
        }
        city_lat, city_lng = geography()["city"]["centre"]
        by_district: dict[str, list[CommunityRec]] = defaultdict(list)
        by_street: dict[int, list[CommunityRec]] = defaultdict(list)
        for c in plan.communities:
            by_district[c.district_name].append(c)
            by_street[id(c.street)].append(c)
        self.unit_weight: list[float] = []
        self.unit_pairs: dict[int, list[CommunityRec]] = {}
        for name, k, d, s in chosen:
            kind = kinds[k]
            if s is not None:
                lat, lng = scatter(rng, *self.street_loc[s], 1000)
                candidates = by_street.get(id(self.streets[s])) or by_district.get(d) or plan.communities
                weight = 0.5
            elif d is not None:
                lat, lng = scatter(rng, self.districts[d].lat, self.districts[d].lng, 2500)
                candidates = by_district.get(d) or plan.communities
                weight = 1.5
            else:
                lat, lng = scatter(rng, city_lat, city_lng, 3000)
                candidates = plan.communities
                weight = 3.0
            unit = UnitRec(
                name=name,
                name_initials=self.names.initials_of(name),
                kind=kind,
                district=self.districts[d] if d else None,
                party_org_name=party_org_name(name, kind, small=s is not None),
                address=f"韶关市{d or ''}{s[1] if s else ''}{rng.choice(load('names.json')['road_words'])}"
                f"{rng.randint(1, 300)}号",
                lat=lat,
                lng=lng,
            )
            plan.units.append(unit)
            self.unit_weight.append(weight * rng.uniform(0.5, 1.5))
            paired = rng.sample(candidates, min(len(candidates), rng.randint(1, 3)))
            self.unit_pairs[id(unit)] = paired
            created = self.now - timedelta(days=rng.randint(200, 1200))
            plan.pairings += [PairingRec(unit=unit, community=c, created_at=created) for c in paired]
        self.communities_by_district = by_district


def _unique_names(words: list[str]):
    """Community name stems: each word once, then with 东/西/南/北/新, then numbered."""
    yield from words
    for suffix in "东西南北新中":
        for w in words:
            yield w + suffix
    n = 2
    while True:
        for w in words:
            yield f"{w}{cn_number(n)}"
        n += 1
