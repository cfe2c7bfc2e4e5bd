from django.apps import AppConfig


class OrdersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "orders"
    verbose_name = "订单与任务"

    def ready(self):
        from core.transitions import register
        from orders.machines import ACCEPTANCE, ESCALATION, REQUEST, TASK

        register(REQUEST, TASK, ACCEPTANCE, ESCALATION)

        from core import exports
        from orders.downloads import requests_dataset, tasks_dataset

        exports.register("requests", requests_dataset, title="点单（含办理结果与评价）", order=30)
        exports.register("tasks", tasks_dataset, title="任务与接单", order=40)
