from rest_framework.routers import DefaultRouter

from portal.teams.api import TeamViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("teams", TeamViewSet, basename="team")

urlpatterns = router.urls
