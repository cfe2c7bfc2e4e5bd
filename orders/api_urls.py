from rest_framework.routers import DefaultRouter

from orders import api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("requests", api.RequestViewSet, basename="request")
router.register("tasks", api.TaskViewSet, basename="task")
router.register("acceptances", api.AcceptanceViewSet, basename="acceptance")
router.register("escalations", api.EscalationViewSet, basename="escalation")
router.register("departments", api.DepartmentViewSet, basename="department")

urlpatterns = router.urls
