"""Handing a built XLSX over the wire, for the page and the API alike."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

from core.downloads import services
from core.models import ExportJob

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_response(job: ExportJob) -> HttpResponse:
    """The job's file as an attachment named in Chinese (RFC 6266 ``filename*``).

    With ``EXPORTS_X_ACCEL_REDIRECT`` (the compose stack) the answer is empty and names the file
    in nginx's ``internal`` location, which sends it from the private volume: no application
    thread is held for the transfer (a local storage only: nginx reads the volume). Otherwise the
    file is streamed from the exports storage.
    Call only after ``services.export_job_hand_out`` has allowed it."""
    filename = f"{job.title}.xlsx"
    if settings.EXPORTS_X_ACCEL_REDIRECT and settings.EXPORTS_STORAGE == "local":
        response = HttpResponse(content_type=XLSX)
        response["X-Accel-Redirect"] = settings.EXPORTS_X_ACCEL_PREFIX + quote(job.file)
        response["Content-Disposition"] = content_disposition_header(True, filename)
    else:
        try:
            handle = services.storage().open(job.file, "rb")
        except FileNotFoundError:
            raise Http404("文件不存在。") from None
        response = FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
