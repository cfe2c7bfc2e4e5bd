"""The download routes (included at ``downloads/``)."""

from django.urls import path

from core.downloads import views

app_name = "downloads"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:key>.csv", views.csv_download, name="csv"),
]
