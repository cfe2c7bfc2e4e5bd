from django.apps import AppConfig


class OrdersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "orders"
    verbose_name = "订单与任务"

    def ready(self):
        from core.transitions import register
        from orders.machines import ACCEPTANCE, ESCALATION, REQUEST, TASK

        register(REQUEST, TASK, ACCEPTANCE, ESCALATION)
