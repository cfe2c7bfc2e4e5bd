"""manage.py generate_activity — a year of 三单 activity on top of ``generate_city``."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from tqdm import tqdm

from core.db import analyze
from orders.citygen.planning import TABLES, scaled_activity
from orders.citygen.writing import generate_activity, has_activity, wipe_activity
from orders.models import Acceptance, Escalation, Feedback, Like, RequestEvent, ServiceRequest, Task, TaskEvent
from reporting.models import CheckIn, LocationConsent, ServiceRecord, Visit


class Command(BaseCommand):
    help = (
        "在 generate_city 生成的组织数据上，按报道中的规模生成过去一年的活动（--scale 1.0：60100 个任务、"
        "约 60 万次接单、约 160 万小时服务时长、11390 件已办结的居民点单），包括签到、服务记录、评价、点赞、"
        "联席会议事项和到社区报到记录。各项数量按 --scale 等比例缩放；同一个 --seed 在同一天生成的数据完全相同。"
        "数据库中已有任务、点单或报到记录时拒绝运行；加 --reset 会先删除全部活动数据（任务、接单、签到、服务记录、"
        "报到、点单、联席会议事项，以及只提交过点单的居民账号）。"
        "生成的数据批量写入，不写审计日志：基准测试衡量的是平台本身，而不是对虚构数据的审计。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="规模系数，应与 generate_city 相同（默认 1.0）")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")
        parser.add_argument("--reset", action="store_true", help="先删除已有的活动数据再生成")
        parser.add_argument("--clear", action="store_true", help="只删除已有的活动数据，不生成")
        parser.add_argument("--quiet", action="store_true", help="不显示进度条和统计结果")

    def handle(self, *args, scale: float, seed: int, reset: bool, clear: bool, quiet: bool, **options):
        if clear:
            wipe_activity()
            if not quiet:
                self.stdout.write(self.style.SUCCESS("已删除全部活动数据。"))
            return
        if not 0 < scale <= 5:
            raise CommandError("--scale 必须大于 0 且不超过 5。")
        if not reset and has_activity():
            raise CommandError("数据库中已有任务、点单或报到记录，不会重复生成。如需重新生成，请加 --reset。")
        target = scaled_activity(scale)
        bar = tqdm(
            total=int(target["acceptances"] * 3.8 + target["tasks"] * 3),
            desc="生成活动",
            unit="行",
            disable=quiet or not sys.stderr.isatty(),
            dynamic_ncols=True,
        )

        def progress(label: str, rows: int) -> None:
            bar.set_description(f"写入{label}")
            bar.update(rows)

        started = time.monotonic()
        try:
            plan = generate_activity(scale=scale, seed=seed, reset=reset, progress=progress)
            analyze()
        except ValueError as exc:
            raise CommandError(f"没有可用的组织数据，请先运行 generate_city（{exc}）。")
        except IntegrityError as exc:
            raise CommandError(f"写入活动数据失败：数据冲突（{exc}）。")
        else:
            bar.total = bar.n
            bar.refresh()
        finally:
            bar.close()
        elapsed = time.monotonic() - started
        if quiet:
            return
        rows = sum(len(r) for _, _, r in plan.batches())
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成一年的活动数据（规模 {scale:g}，种子 {seed}），写入 {rows} 行，用时 {elapsed:.1f} 秒："
            )
        )
        for name, (label, _model) in TABLES.items():
            self.stdout.write(f"  {label}：{len(getattr(plan, name))}")
        for label, n in activity_figures().items():
            self.stdout.write(f"  {label}：{n}")


def activity_figures() -> dict[str, object]:
    from django.db.models import Sum

    minutes = ServiceRecord.objects.aggregate(s=Sum("minutes"))["s"] or 0
    confirmed = ServiceRecord.objects.filter(status=ServiceRecord.Status.CONFIRMED).aggregate(s=Sum("minutes"))["s"]
    return {
        "任务（已完成）": Task.objects.filter(status=Task.Status.COMPLETED).count(),
        "接单（已完成）": Acceptance.objects.filter(status=Acceptance.Status.COMPLETED).count(),
        "服务时长（小时）": round(minutes / 60),
        "其中已确认（小时）": round((confirmed or 0) / 60),
        "已办结点单": ServiceRequest.objects.filter(status__in=["resolved", "confirmed", "rated", "closed"]).count(),
        "评价": Feedback.objects.count(),
        "点赞": Like.objects.count(),
        "联席会议事项": Escalation.objects.count(),
        "到社区报到": Visit.objects.count(),
        "签到": CheckIn.objects.count(),
        "位置同意": LocationConsent.objects.count(),
        "点单进度": RequestEvent.objects.count(),
        "任务进度": TaskEvent.objects.count(),
    }
