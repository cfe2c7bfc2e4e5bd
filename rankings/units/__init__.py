"""A unit's own party organisation (单位党组织): its workbench and member roster, pages and API.

They gather the unit's members (grids), their quota progress (reporting) and their stars
(rankings), which is why they live here. Who may open a unit is
``grids.selectors.units.unit_get_for_viewer``.
"""
