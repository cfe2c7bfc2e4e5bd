"""The assessment API."""

from django.urls import path

from rankings.assessment import api

urlpatterns = [
    path("assessments/", api.SheetListView.as_view(), name="api-assessments"),
    path("assessments/city/", api.CitySheetView.as_view(), name="api-assessment-city"),
    path(
        "assessments/district/<int:district_id>/",
        api.SheetView.as_view(level="district"),
        name="api-assessment-district",
    ),
    path("assessments/street/<int:street_id>/", api.SheetView.as_view(level="street"), name="api-assessment-street"),
    path(
        "assessments/community/<int:community_id>/",
        api.SheetView.as_view(level="community"),
        name="api-assessment-community",
    ),
    path("assessments/unit/<int:unit_id>/", api.SheetView.as_view(level="unit"), name="api-assessment-unit"),
]
