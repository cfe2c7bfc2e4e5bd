"""The XLSX downloads' pages: start a job, follow its progress, take the file, 我的下载."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from core.downloads import selectors, services
from core.downloads.http import file_response
from core.errors import DomainError, NotFound
from core.pages import safe_next

POLL_MS = 1500
FORM_ONLY = {"csrfmiddlewaretoken", "next"}  # what a form posts besides the download's parameters


def _params(request) -> QueryDict:
    """The download's parameters: the querystring, and any field the form itself posts."""
    params = request.GET.copy()
    for name in request.POST:
        if name not in FORM_ONLY:
            params.setlist(name, request.POST.getlist(name))
    return params


@login_required
@require_POST
def xlsx_start(request, key: str):
    try:
        job, created = services.export_job_start(user=request.user, key=key, params=_params(request))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(safe_next(request, reverse("downloads:jobs")))
    if not created:
        messages.info(request, services.ALREADY_RUNNING)
    return redirect("downloads:job", job_id=job.pk)


def _job_or_404(request, job_id):
    try:
        return selectors.export_job_of(request.user, job_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _context(job, **extra) -> dict:
    return {"job": job, "poll_ms": POLL_MS, **extra}


@login_required
@require_GET
def job_detail(request, job_id):
    job = _job_or_404(request, job_id)
    return render(request, "core/downloads/job.html", _context(job, tab="me"))


@login_required
@require_GET
def job_progress(request, job_id):
    """The fragment the job page asks for every ``POLL_MS`` until the job is settled."""
    job = _job_or_404(request, job_id)
    return render(request, "core/downloads/_job_progress.html", _context(job))


@login_required
@require_GET
def job_file(request, job_id):
    """The file, to its owner only, while kept and while the scope is still theirs; audited."""
    job = _job_or_404(request, job_id)
    try:
        services.export_job_hand_out(job=job, user=request.user)
    except DomainError as exc:
        context = _context(job, refusal=exc.message, tab="me")
        return render(request, "core/downloads/job.html", context, status=exc.status)
    return file_response(job)


@login_required
@require_GET
def job_list(request):
    """我的下载: the user's downloads of the last day."""
    jobs = selectors.export_jobs_of(request.user)[: selectors.LIST_LIMIT]
    return render(request, "core/downloads/jobs.html", {"jobs": jobs, "tab": "me"})
