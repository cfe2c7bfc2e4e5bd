from django.urls import path

from core.downloads import api

urlpatterns = [
    path("exports/jobs/", api.ExportJobListView.as_view(), name="export-job-list"),
    path("exports/jobs/<uuid:job_id>/", api.ExportJobDetailView.as_view(), name="export-job-detail"),
    path("exports/jobs/<uuid:job_id>/file/", api.ExportJobFileView.as_view(), name="export-job-file"),
    path("exports/<slug:key>/", api.ExportStartView.as_view(), name="export-start"),
]
