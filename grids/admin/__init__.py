"""Django admin for the organisation, people and registrations, scoped by post (see ``base``)."""

from grids.admin import adjustment, audit, organisation, people, posts, registration  # noqa: F401  (registers the admins)
