"""The downloads' pages, included at ``downloads/`` (namespace ``downloads``)."""

from django.urls import path

from core.downloads import job_views, views

app_name = "downloads"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:key>.csv", views.csv_download, name="csv"),
    path("<slug:key>.xlsx", job_views.xlsx_start, name="xlsx"),
    path("jobs/", job_views.job_list, name="jobs"),
    path("jobs/<uuid:job_id>/", job_views.job_detail, name="job"),
    path("jobs/<uuid:job_id>/progress/", job_views.job_progress, name="job_progress"),
    path("jobs/<uuid:job_id>/file", job_views.job_file, name="file"),
]
