"""manage.py seed_demo — load the demo slice of Shaoguan and print the demo accounts."""

import time

from django.core.management.base import BaseCommand

from grids.citygen.demo import seed_demo
from grids.citygen.demo_plan import SIGN_IN_BY_CODE
from grids.models import Community, Grid, Member, Unit


class Command(BaseCommand):
    help = (
        "载入演示数据：韶关市 10 个区县及其街道/镇，武江区新华街道工业中社区等 9 个社区及其网格、"
        "9 个单位、约 200 名党员志愿者、职务、报到和党群先锋队，以及 6 个演示账号。"
        "可重复运行：只补齐缺少的数据，不会重复创建。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="打印链接时使用的网站地址（默认 http://127.0.0.1:8000）"
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        accounts = seed_demo()
        elapsed = time.monotonic() - started
        out = self.stdout
        out.write(
            self.style.SUCCESS(
                f"演示数据已就绪（{elapsed:.1f} 秒）：社区 {Community.objects.count()} 个，"
                f"网格 {Grid.objects.count()} 个，单位 {Unit.objects.count()} 个，"
                f"党员志愿者 {Member.objects.count()} 名。"
            )
        )
        out.write("")
        out.write("演示账号：")
        rows = [("角色", "姓名", "手机号", "登录方式")]
        rows += [
            (a.role, a.name, a.phone, SIGN_IN_BY_CODE + (f"；或密码 {a.password}" if a.password else ""))
            for a in accounts
        ]
        widths = [max(_width(r[i]) for r in rows) for i in range(4)]
        for n, row in enumerate(rows):
            out.write("  " + "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
            if n == 0:
                out.write("  " + "  ".join("-" * w for w in widths))
        out.write("")
        base = options["base_url"].rstrip("/")
        out.write(f"网站首页：{base}/")
        out.write(f"管理后台：{base}/admin/")
        out.write(f"接口文档：{base}/api/docs/")


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
