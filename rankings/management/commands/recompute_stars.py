"""manage.py recompute_stars — every member's stars for a year now (the nightly job does the
current year)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from rankings.services import member_stars_recompute


class Command(BaseCommand):
    help = "重新评定全体党员某一年度的星级（默认今年）。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="年度（默认今年）")

    def handle(self, *args, year=None, **options):
        r = member_stars_recompute(year=year or timezone.localdate().year)
        counts = "，".join(f"{n}星 {c} 人" for n, c in r["by_stars"].items())
        self.stdout.write(
            f"{r['year']}年：{r['members']} 名党员（{counts}），补算时长 {r['filled_quota_minutes']} 条，用时 {r['ms']} 毫秒。"
        )
