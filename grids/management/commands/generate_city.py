"""manage.py generate_city — the whole city as the article counts it, for benchmarks and load."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from tqdm import tqdm

from accounts.models import User
from core.db import analyze
from grids.citygen.city import generate_city, has_organisation_data
from grids.citygen.scale import estimated_rows, scaled_counts
from grids.models import (
    Community,
    District,
    Grid,
    Member,
    Pairing,
    Post,
    Registration,
    Street,
    TeamMembership,
    Unit,
    VanguardTeam,
)


class Command(BaseCommand):
    help = (
        "按报道中的规模生成整个韶关市的组织数据（--scale 1.0：1795 个单位、60000 名党员、10 个区县、"
        "295 个社区（含 61 个城中村）、1091 个二级网格、9162 个三级网格、986 支党群先锋队），"
        "以及职务、结对包联和报到记录。各项数量按 --scale 等比例缩放（四舍五入，至少 1 个；区县始终 10 个）。"
        "同一个 --seed 生成的姓名、手机号、坐标和数量完全相同。"
        "数据库中已有社区、单位或党员数据时拒绝运行；加 --reset 会先删除全部组织数据"
        "（社区、网格、单位、党员、职务、先锋队、报到，以及这些党员和职务人员的用户账号，超级管理员除外），再重新生成。"
        "生成的数据批量写入，不写审计日志：基准测试衡量的是平台本身，而不是对虚构数据的审计。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="规模系数，1.0 为全市，0.1 为十分之一（大于 0、不超过 5，默认 1.0）",
        )
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")
        parser.add_argument("--reset", action="store_true", help="先删除已有的组织数据再生成")
        parser.add_argument("--quiet", action="store_true", help="不显示进度条和统计结果")

    def handle(self, *args, scale: float, seed: int, reset: bool, quiet: bool, **options):
        if not 0 < scale <= 5:
            raise CommandError("--scale 必须大于 0 且不超过 5。")
        if not reset and has_organisation_data():
            raise CommandError(
                "数据库中已有社区、单位或党员数据（来自 seed_demo 或上一次 generate_city），不会重复生成。"
                "如需重新生成，请加 --reset（将删除全部组织数据及相关用户账号）。"
            )
        bar = tqdm(
            total=estimated_rows(scaled_counts(scale)),
            desc="生成城市",
            unit="行",
            disable=quiet or not sys.stderr.isatty(),
            dynamic_ncols=True,
        )

        def progress(label: str, rows: int) -> None:
            bar.set_description(f"写入{label}")
            bar.update(rows)

        started = time.monotonic()
        try:
            plan = generate_city(scale=scale, seed=seed, reset=reset, progress=progress)
            analyze()
        except (ProtectedError, RestrictedError, IntegrityError) as exc:
            raise CommandError(f"无法清空或写入组织数据：其他业务数据仍引用这些记录，或数据冲突（{exc}）。")
        else:
            bar.total = bar.n  # the estimate was close; end the bar at 100 %
            bar.refresh()
        finally:
            bar.close()
        elapsed = time.monotonic() - started
        if quiet:
            return
        rows = sum(len(r) for _, _, r in plan.batches())
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成韶关市组织数据（规模 {scale:g}，种子 {seed}），写入 {rows} 行，用时 {elapsed:.1f} 秒。数据库现有："
            )
        )
        for label, n in database_counts().items():
            self.stdout.write(f"  {label}：{n}")


def database_counts() -> dict[str, int]:
    return {
        "区/县(市)": District.objects.count(),
        "街道/镇": Street.objects.count(),
        "社区": Community.objects.count(),
        "其中城中村": Community.objects.filter(kind=Community.Kind.URBAN_VILLAGE).count(),
        "二级网格": Grid.objects.filter(level=2).count(),
        "三级网格": Grid.objects.filter(level=3).count(),
        "单位": Unit.objects.count(),
        "结对包联": Pairing.objects.count(),
        "党员/志愿者": Member.objects.count(),
        "报到记录": Registration.objects.count(),
        "其中已编入网格": Registration.objects.filter(status=Registration.Status.PLACED).count(),
        "职务": Post.objects.count(),
        "党群先锋队": VanguardTeam.objects.count(),
        "先锋队队员": TeamMembership.objects.count(),
        "用户": User.objects.count(),
    }
