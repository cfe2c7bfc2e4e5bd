"""The unit party organisation's pages (``units:``)."""

from django.urls import include, path

from rankings.units import views

pages = [
    path("unit/", views.my_unit, name="mine"),
    path("units/<int:unit_id>/", views.unit_home, name="home"),
    path("units/<int:unit_id>/members/", views.unit_members, name="members"),
]

urlpatterns = [path("", include((pages, "units")))]
