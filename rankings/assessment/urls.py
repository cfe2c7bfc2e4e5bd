"""The assessment pages."""

from django.urls import path

from rankings.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.home, name="home"),
    path("city/", views.city, name="city"),
    path("district/<int:district_id>/", views.district, name="district"),
    path("street/<int:street_id>/", views.street, name="street"),
    path("community/<int:community_id>/", views.community, name="community"),
    path("units/", views.units, name="units"),
    path("unit/<int:unit_id>/", views.unit, name="unit"),
]
