from django.apps import AppConfig


class GridsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "grids"
    verbose_name = "组织与网格"

    def ready(self):
        from core.transitions import register
        from grids import signals  # noqa: F401  (connects the handlers)
        from grids.machines import ADJUSTMENT_ROUND, REGISTRATION

        register(REGISTRATION, ADJUSTMENT_ROUND)

        from core.exports import offer_nodes
        from grids.selectors.downloads import may_download, node_choices

        offer_nodes(node_choices, may_download)
