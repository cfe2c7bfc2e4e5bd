"""manage.py rebuild_boards — build the five boards of a day now (the nightly job does yesterday),
and with ``--history N`` the N days before it too, oldest first, so movement and rank history
have days to compare (the demo builds its boards this way)."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.errors import DomainError
from rankings.services import board_rebuild

MAX_HISTORY = 366


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
        parser.add_argument(
            "--history",
            type=int,
            default=0,
            help=f"同时生成此前若干天的榜单（最多 {MAX_HISTORY} 天），以显示名次变化和走势",
        )

    def handle(self, *args, day: str | None, history: int, **options):
        if not 0 <= history <= MAX_HISTORY:
            raise CommandError(f"--history 须在 0 到 {MAX_HISTORY} 之间。")
        last = parse_day(day)
        days = [last - timedelta(days=n) for n in range(history, -1, -1)]
        try:
            # Oldest first: each day's movement is measured from the day built before it.
            built = [board_rebuild(day=d, triggered_by="命令行") for d in days]
        except DomainError as exc:
            raise CommandError(exc.message)
        board_day = built[-1]
        if len(built) > 1:
            self.stdout.write(f"已生成此前 {len(built) - 1} 天的榜单。")
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成 {board_day.day:%Y-%m-%d} 的榜单：{board_day.entry_count} 条，用时 {board_day.duration_ms} 毫秒。"
            )
        )
