"""Database chores the commands share."""

from __future__ import annotations

from django.db import connection


def analyze() -> None:
    """Refresh PostgreSQL's planner statistics after a bulk load.

    Rows written in bulk (the generated city, a year of activity) are invisible to the planner until
    autovacuum gets to them, which may be minutes later. Until then it believes the tables nearly
    empty, and picks sequential scans and sorts that make the first downloads and lists many times
    slower.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
