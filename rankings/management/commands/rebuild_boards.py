"""manage.py rebuild_boards — build the five boards of a day now (the nightly job does yesterday)."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.errors import DomainError
from rankings.services import board_rebuild


def parse_day(value: str | None) -> date:
    if not value:
        return timezone.localdate() - timedelta(days=1)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}")


class Command(BaseCommand):
    help = "生成某一天的五个排行榜（数据截至当天 24 时），默认昨天。同一天重复生成结果相同。"

    def add_arguments(self, parser):
        parser.add_argument("--day", help="榜单日期 YYYY-MM-DD（默认昨天）")

    def handle(self, *args, day: str | None, **options):
        try:
            board_day = board_rebuild(day=parse_day(day), triggered_by="命令行")
        except DomainError as exc:
            raise CommandError(exc.message)
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成 {board_day.day:%Y-%m-%d} 的榜单：{board_day.entry_count} 条，用时 {board_day.duration_ms} 毫秒。"
            )
        )
