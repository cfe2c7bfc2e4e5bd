from rest_framework.routers import DefaultRouter

from grids.api.adjustment import AdjustmentViewSet
from grids.api.organisation import CommunityViewSet, DistrictViewSet, GridViewSet, StreetViewSet, UnitViewSet
from grids.api.people import MemberViewSet
from grids.api.registration import RegistrationViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("districts", DistrictViewSet, basename="district")
router.register("streets", StreetViewSet, basename="street")
router.register("communities", CommunityViewSet, basename="community")
router.register("grids", GridViewSet, basename="grid")
router.register("units", UnitViewSet, basename="unit")
router.register("members", MemberViewSet, basename="member")
router.register("registrations", RegistrationViewSet, basename="registration")
router.register("adjustments", AdjustmentViewSet, basename="adjustment")

urlpatterns = router.urls
