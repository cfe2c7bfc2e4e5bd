"""Django admin for requests, tasks and the joint meeting, scoped by post (see ``grids.admin.base``).

Rows here change state only through the services: statuses are read-only fields and every
change of state is an admin action that calls the same service the app calls.
"""

from orders.admin import escalations, requests, tasks  # noqa: F401  (registers the admins)
