"""The duty ledger's pages (``reporting:``): my hours and consent, the community's hours to confirm."""

from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("my/hours/", views.my_hours, name="my_hours"),
    path("my/consent/", views.consent_agree, name="consent"),
    path("my/consent/revoke/", views.consent_withdraw, name="consent_revoke"),
    path("work/hours/", views.work_hours, name="work_hours"),
    path("work/unreported/", views.work_unreported, name="unreported"),
    path("work/hours/<int:record_id>/<str:action>/", views.work_hours_action, name="work_hours_action"),
]
