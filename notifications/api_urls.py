from rest_framework.routers import DefaultRouter

from notifications import api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("notifications", api.NotificationViewSet, basename="notification")

urlpatterns = router.urls
