"""Reads shared by admin, API and pages, by subdomain; scoping is ``grids.selectors.scope``."""
