"""manage.py bench_cockpit — the cockpit's rebuild time and its pages' server time and queries."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from core.bench import results
from grids.models import Post
from rankings.cockpit.bench import run


class Command(BaseCommand):
    help = "驾驶舱基准：全市重算耗时，市/区/街道页面与接口的服务器耗时和查询次数。"

    def add_arguments(self, parser):
        parser.add_argument("--day", help="数据截至日期 YYYY-MM-DD（默认昨天）")
        parser.add_argument("--rounds", type=int, default=5, help="每项重复次数（默认 5）")

    def handle(self, *args, day: str | None = None, rounds: int = 5, **options):
        try:
            when = dt.date.fromisoformat(day) if day else None
        except ValueError:
            raise CommandError("--day 应为 YYYY-MM-DD 格式的日期。")
        figures = run(stdout=self.stdout, day=when, rounds=rounds)
        results.record(
            "驾驶舱",
            f"全市重算（{figures['rows']} 个范围）",
            f"{figures['rebuild_ms']:.0f} ms；再次重算 {figures['rebuild_again_ms']:.0f} ms",
        )
        for role, label in (
            (Post.Role.CITY_STAFF, "市级"),
            (Post.Role.DISTRICT_STAFF, "区/县级"),
            (Post.Role.STREET_STAFF, "街道级"),
        ):
            if role in figures:
                r = figures[role]
                results.record(
                    "驾驶舱",
                    f"{label}页面与接口（进程内，中位数）",
                    f"页面 {r['page_ms']:.1f} ms、{r['page_queries']} 次查询；接口 {r['api_ms']:.1f} ms、{r['api_queries']} 次查询",
                )
