"""The CSV download of any registered dataset, and the 数据下载 page listing them.

The datasets and the node picker are registered by the apps that own them (``core.exports``):
these views know no domain model. A refusal (a node outside the user's posts, a bad period) is
a Chinese page with the status of its domain error, never a half-written file.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from core import exports
from core.errors import DomainError

NO_SCOPE = "数据下载仅向社区、街道、区/县(市)、市级组织部门工作人员和单位党组织开放。"


def refused(request, exc: DomainError):
    return render(request, "core/download_denied.html", {"message": exc.message}, status=exc.status)


@require_safe
@login_required
def csv_download(request, key: str):
    try:
        dataset = exports.build(key, user=request.user, params=request.GET)
    except LookupError:
        raise Http404("没有这个下载。") from None
    except DomainError as exc:
        return refused(request, exc)
    return exports.dataset_csv_response(dataset)


@require_safe
@login_required
def index(request):
    """Every dataset, with a node picker limited to the user's posts and a date range."""
    nodes = exports.node_choices(request.user)
    if not nodes:
        return render(request, "core/download_denied.html", {"message": NO_SCOPE}, status=403)
    today = timezone.localdate()
    offers = exports.offers()
    return render(
        request,
        "core/downloads.html",
        {
            "nodes": nodes,
            "ranged": [o for o in offers if "start" in o.params],
            "sheets": [o for o in offers if "level" in o.params],
            "start": today.replace(month=1, day=1).isoformat(),
            "end": today.isoformat(),
            "years": [str(y) for y in range(today.year, today.year - 3, -1)],
            "quarters": [f"{today.year}Q{q}" for q in range((today.month - 1) // 3 + 1, 0, -1)],
        },
    )
