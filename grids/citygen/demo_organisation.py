"""The demo's organisation: its communities, their grids and buildings, the units and pairings.

Communities, units and pairings are written through ``grids.services.organisation`` (which
computes the pinyin initials); the many grids in bulk.
"""

from __future__ import annotations

from grids.citygen.common import party_org_name
from grids.citygen.demo_plan import COMMUNITIES, UNITS, buildings_per_grid, grid_names
from grids.models import Community, Grid, Pairing, Unit
from grids.services.organisation import community_create, pairing_create, unit_create


class DemoOrganisation:
    def _communities(self, streets) -> dict[str, Community]:
        out = {}
        for spec in COMMUNITIES:
            street = streets[(spec.district, spec.street)]
            community = Community.objects.filter(street=street, name=spec.name).first() or community_create(
                street=street,
                name=spec.name,
                kind=spec.kind,
                lat=spec.lat,
                lng=spec.lng,
                address=spec.address,
                households=spec.households,
                members_needed=spec.members_needed,
                geofence_radius_m=500 if spec.kind == Community.Kind.URBAN_VILLAGE else 300,
            )
            out[spec.name] = community
        return out

    def _grids(self):
        ids = [c.pk for c in self.communities.values()]
        existing = {(g.community_id, g.level, g.parent_id, g.name): g for g in Grid.objects.filter(community__in=ids)}
        grids: dict[tuple[str, str], Grid] = {}
        new = []
        for spec in COMMUNITIES:
            community = self.communities[spec.name]
            for i, name in enumerate(grid_names(spec)):
                g = existing.get((community.pk, 2, None, name))
                if g is None:
                    kind = Grid.Kind.PROPERTY_COMPOUND if i % 2 else Grid.Kind.RESIDENTIAL_GROUP
                    g = Grid(community=community, level=2, kind=kind, name=name)
                    new.append(g)
                grids[(spec.name, name)] = g
        Grid.objects.bulk_create(new)
        buildings: dict[tuple[str, str, str], Grid] = {}
        new = []
        for spec in COMMUNITIES:
            for i, name in enumerate(grid_names(spec)):
                parent = grids[(spec.name, name)]
                for b in range(1, buildings_per_grid(spec, i) + 1):
                    key = (parent.community_id, 3, parent.pk, f"{b}栋")
                    g = existing.get(key)
                    if g is None:
                        g = Grid(community_id=parent.community_id, level=3, kind=Grid.Kind.BUILDING, parent=parent)
                        g.name = f"{b}栋"
                        new.append(g)
                    buildings[(spec.name, name, f"{b}栋")] = g
        Grid.objects.bulk_create(new)
        return grids, buildings

    def _units(self, districts) -> dict[str, Unit]:
        out = {}
        for name, kind, district, address, lat, lng, paired in UNITS:
            unit = Unit.objects.filter(name=name).first() or unit_create(
                name=name,
                kind=kind,
                district=districts[district] if district else None,
                party_org_name=party_org_name(name, kind),
                address=address,
                lat=lat,
                lng=lng,
            )
            out[name] = unit
            for c in paired:
                community = self.communities[c]
                if not Pairing.objects.filter(unit=unit, community=community).exists():
                    pairing_create(unit=unit, community=community)
        return out
