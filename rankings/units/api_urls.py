"""The unit party organisation's API (beside the organisation's ``units/`` in grids)."""

from django.urls import path

from rankings.units import api

urlpatterns = [
    path("units/<int:unit_id>/roster/", api.UnitRosterView.as_view(), name="api-unit-roster"),
    path("units/<int:unit_id>/behind/", api.UnitBehindView.as_view(), name="api-unit-behind"),
    path(
        "units/<int:unit_id>/waiting-registrations/",
        api.UnitWaitingView.as_view(),
        name="api-unit-waiting-registrations",
    ),
]
