"""manage.py fill_quota_minutes — store the minutes outside working hours of confirmed records
that lack them (rows written in bulk, records confirmed before the field existed); ``--recompute``
after WORKING_HOURS changed or chinese-calendar was upgraded."""

import time

from django.core.management.base import BaseCommand

from reporting.services.quota import quota_minutes_fill


class Command(BaseCommand):
    help = "计算并保存已确认服务记录中计入年度要求（工作时间以外）的分钟数。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="只处理该年开始的记录")
        parser.add_argument(
            "--recompute", action="store_true", help="重新计算全部已确认记录（修改工作时间或升级节假日日历后）"
        )

    def handle(self, *args, year=None, recompute=False, **options):
        t0 = time.perf_counter()
        done = quota_minutes_fill(year=year, recompute=recompute)
        self.stdout.write(f"已更新 {done} 条记录，用时 {time.perf_counter() - t0:.1f} 秒。")
