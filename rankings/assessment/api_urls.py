"""The assessment API."""

from django.urls import path

from rankings.assessment import api

urlpatterns = [
    path("assessments/", api.SheetListView.as_view(), name="api-assessments"),
    path("assessments/city/", api.CitySheetView.as_view(), name="api-assessment-city"),
    path("assessments/<str:level>/<int:id>/", api.SheetView.as_view(), name="api-assessment"),
]
