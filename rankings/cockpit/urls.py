"""The cockpit's pages."""

from django.urls import path

from rankings.cockpit import views

urlpatterns = [
    path("cockpit/", views.cockpit, name="cockpit"),
]
