"""The cockpit's API."""

from django.urls import path

from rankings.cockpit.api import CockpitView

urlpatterns = [
    path("cockpit/", CockpitView.as_view(), name="api-cockpit"),
]
