"""The assessment pages."""

from django.urls import path

from rankings.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.home, name="home"),
    path("city/", views.city, name="city"),
    path("units/", views.units, name="units"),
    path("unit/<int:pk>/", views.unit, name="unit"),
    path("<str:level>/<int:pk>/", views.node, name="node"),
]
