from django.urls import path
from rest_framework.routers import DefaultRouter

from reporting import api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("service-records", api.ServiceRecordViewSet, basename="service-record")
router.register("visits", api.VisitViewSet, basename="visit")

urlpatterns = [
    path("location-consent/", api.LocationConsentView.as_view(), name="location-consent"),
    *router.urls,
]
