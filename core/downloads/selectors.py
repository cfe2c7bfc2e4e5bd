"""Reads of the XLSX download jobs that pages and the API share."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from core.errors import NotFound
from core.models import ExportJob

LIST_LIMIT = 50  # a day's downloads of one person; more is a script, not a person


def export_jobs_of(user, *, now: dt.datetime | None = None) -> QuerySet[ExportJob]:
    """The user's download jobs of the last day (what 我的下载 lists), newest first."""
    since = (now or timezone.now()) - dt.timedelta(days=1)
    return ExportJob.objects.filter(user=user, created_at__gte=since).order_by("-created_at")


def export_job_of(user, job_id) -> ExportJob:
    """The job if it is the user's; anyone else's is "not found" (never "forbidden": ids reveal nothing)."""
    job = ExportJob.objects.filter(pk=job_id, user_id=getattr(user, "pk", None)).first()
    if job is None:
        raise NotFound("未找到该下载。")
    return job
