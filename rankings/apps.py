from django.apps import AppConfig


class RankingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rankings"
    verbose_name = "排行榜"

    def ready(self):
        from core import exports
        from rankings import checks  # noqa: F401  (registers the system checks)
        from rankings.downloads import members_dataset, sheet_dataset

        exports.register("members", members_dataset, title="党员名单（报到、时长、星级）", order=10)
        exports.register("sheet", sheet_dataset, title="考核表", params=("node", "level", "period"), order=60)
