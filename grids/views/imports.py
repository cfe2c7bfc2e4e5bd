"""The import pages: a unit's roster (单位党员名册) and a street's grids and buildings (网格与楼栋).

Each page offers its template, takes an upload with two buttons — 预检 (check only) and 导入 —
and shows the run: what was created and changed, or every bad row with its column and reason
and the report to download. Who may import is ``grids.services.imports.can_import_*``; anyone
else gets a 403 page (a unit or street that does not exist, a 404).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from core import audit
from core.errors import DomainError
from grids.imports import grid_sheet, roster, workbook
from grids.models import ImportRun, Street, Unit
from grids.selectors.scope import scope_for, streets_for, units_led_by
from grids.services import imports as services

RUNS_SHOWN = 10
ERRORS_SHOWN = 200


def _denied(request, message: str):
    return render(request, "grids/import_denied.html", {"message": message, "tab": "home"}, status=403)


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=workbook.XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    response["Cache-Control"] = "private, no-store"
    return response


def _target(request, kind: str, node_id: int):
    """The unit or street of the page, or a 403/404 response."""
    if kind == ImportRun.Kind.ROSTER:
        unit = get_object_or_404(Unit, pk=node_id)
        if not services.can_import_roster(request.user, unit):
            return None, _denied(request, "只有本单位党组织的书记、组织委员可以导入本单位的党员名册。")
        return unit, None
    street = get_object_or_404(Street.objects.select_related("district"), pk=node_id)
    if not services.can_import_grids(request.user, street):
        return None, _denied(request, "只有本街道及上级组织部门的工作人员可以导入本街道的网格。")
    return street, None


@login_required
@require_safe
def import_home(request):
    """Where the user may import: the units whose party organisation they are in, their streets."""
    scope = scope_for(request.user)
    chosen = request.GET.get("unit", "")
    if scope.city and chosen.isdigit():
        return redirect("grids:import_roster", unit_id=int(chosen))
    units = list(units_led_by(request.user))
    streets = []
    if scope.city or scope.district_ids or scope.street_ids:
        streets = [s for s in streets_for(request.user) if services.can_import_grids(request.user, s)]
    if not units and not streets:
        return _denied(request, "数据导入供单位党组织书记、组织委员和街道、区、市组织部门工作人员使用。")
    all_units = list(Unit.objects.order_by("name").values_list("pk", "name")) if scope.city else []
    context = {"units": units, "all_units": all_units, "streets": streets, "tab": "home"}
    return render(request, "grids/import_home.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_page(request, kind: str, unit_id: int | None = None, street_id: int | None = None):
    target, denied = _target(request, kind, unit_id or street_id)
    if denied:
        return denied
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        dry_run = request.POST.get("action") == "check"
        try:
            if upload is None:
                raise DomainError("请选择要上传的 .xlsx 文件。")
            if upload.size > workbook.MAX_BYTES:
                # Refused before reading it into memory.
                raise DomainError(f"文件大小 {upload.size / 1024 / 1024:.0f} MB，超过 20 MB 的上限，请拆分后分批导入。")
            run = services.import_upload(
                actor=request.user,
                kind=kind,
                unit=target if kind == ImportRun.Kind.ROSTER else None,
                street=target if kind == ImportRun.Kind.GRIDS else None,
                data=upload.read(),
                file_name=upload.name,
                dry_run=dry_run,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            return redirect("grids:import_run", import_id=run.pk)
    target_filter = {"unit": target} if kind == ImportRun.Kind.ROSTER else {"street": target}
    runs = list(
        ImportRun.objects.filter(kind=kind, **target_filter)
        .select_related("created_by")
        .defer("upload", "errors")[:RUNS_SHOWN]
    )
    context = {
        "kind": kind,
        "target": target,
        "columns": services.columns_of(kind),
        "runs": runs,
        "title": "导入党员名册" if kind == ImportRun.Kind.ROSTER else "导入网格与楼栋",
        "tab": "home",
    }
    return render(request, "grids/import.html", context, status=status)


@login_required
@require_safe
def import_template(request, kind: str, unit_id: int | None = None, street_id: int | None = None):
    target, denied = _target(request, kind, unit_id or street_id)
    if denied:
        return denied
    if kind == ImportRun.Kind.ROSTER:
        data = workbook.template(
            roster.COLUMNS,
            title="名册",
            instructions=roster.instructions(target),
            lists=roster.allowed_lists(target),
        )
        return _xlsx(data, f"{target.name}-党员名册模板.xlsx")
    data = workbook.template(
        grid_sheet.COLUMNS,
        title="网格",
        instructions=grid_sheet.instructions(target),
        lists=grid_sheet.allowed_lists(target),
    )
    return _xlsx(data, f"{target.name}-网格与楼栋模板.xlsx")


def _run_or_deny(request, run_id: int):
    run = get_object_or_404(ImportRun.objects.select_related("unit", "street", "created_by").defer("upload"), pk=run_id)
    allowed = (
        services.can_import_roster(request.user, run.unit)
        if run.kind == ImportRun.Kind.ROSTER
        else services.can_import_grids(request.user, run.street)
    )
    if not allowed:
        raise Http404("导入记录不存在。")
    return run


@login_required
@require_safe
def import_run(request, import_id: int):
    run = _run_or_deny(request, import_id)
    node_id = run.unit_id or run.street_id
    context = {
        "run": run,
        "node_id": node_id,
        "errors": run.errors[:ERRORS_SHOWN],
        "more_errors": max(0, len(run.errors) - ERRORS_SHOWN),
        "bad_rows": len({e[0] for e in run.errors}),
        "tab": "home",
    }
    return render(request, "grids/import_run.html", context)


@login_required
@require_safe
def import_report(request, import_id: int):
    run = _run_or_deny(request, import_id)
    data = services.import_report_build(run=run)
    if not data:
        raise Http404("这次导入没有错误报告，或上传的文件已过保存期（一天）。")
    audit.record(audit.Action.EXPORT, obj=run, actor=request.user, note=f"下载导入错误报告（{len(run.errors)} 处错误）")
    return _xlsx(data, f"错误报告-{run.file_name or run.pk}")
