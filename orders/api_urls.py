from rest_framework.routers import DefaultRouter

from orders.api.acceptances import AcceptanceViewSet
from orders.api.escalations import DepartmentViewSet, EscalationViewSet
from orders.api.requests import RequestViewSet
from orders.api.tasks import TaskViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("requests", RequestViewSet, basename="request")
router.register("tasks", TaskViewSet, basename="task")
router.register("acceptances", AcceptanceViewSet, basename="acceptance")
router.register("escalations", EscalationViewSet, basename="escalation")
router.register("departments", DepartmentViewSet, basename="department")

urlpatterns = router.urls
