from rest_framework.routers import DefaultRouter

from grids import api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("districts", api.DistrictViewSet, basename="district")
router.register("streets", api.StreetViewSet, basename="street")
router.register("communities", api.CommunityViewSet, basename="community")
router.register("grids", api.GridViewSet, basename="grid")
router.register("units", api.UnitViewSet, basename="unit")
router.register("members", api.MemberViewSet, basename="member")
router.register("registrations", api.RegistrationViewSet, basename="registration")

urlpatterns = router.urls
