"""The downloads' pages, included at ``downloads/`` (namespace ``downloads``)."""

from django.urls import path

from core.downloads import views

app_name = "downloads"

urlpatterns = [
    path("<slug:key>.xlsx", views.xlsx_start, name="xlsx"),
    path("jobs/", views.job_list, name="jobs"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job"),
    path("jobs/<uuid:job_id>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<uuid:job_id>/file", views.job_file, name="file"),
]
