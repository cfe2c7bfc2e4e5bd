"""The H5 pages of the organisation, all ``grids:`` (首页 is ``portal.urls``; 点单 · 接单 ``orders.urls``)."""

from django.urls import path

from grids.views import adjustment, imports, staff, volunteers

app_name = "grids"

urlpatterns = [
    path("me/join/", volunteers.member_join, name="member_create"),
    path("me/edit/", volunteers.member_edit, name="member_edit"),
    path("register/", volunteers.registration, name="registration"),
    path("register/withdraw/", volunteers.registration_withdraw_view, name="registration_withdraw"),
    path("grids/", staff.browser, name="browser"),
    path("grids/community/<int:community_id>/", staff.community_detail, name="community"),
    path("grids/<int:grid_id>/", staff.grid_detail, name="grid"),
    path("grids/registrations/<int:registration_id>/place/", staff.registration_place_view, name="registration_place"),
    path("grids/adjustments/", adjustment.adjustment_list, name="adjustments"),
    path("grids/adjustments/run/", adjustment.adjustment_run_view, name="adjustment_run"),
    path("grids/adjustments/<int:round_id>/", adjustment.adjustment_detail, name="adjustment"),
    path("grids/adjustments/<int:round_id>/progress/", adjustment.adjustment_progress, name="adjustment_progress"),
    path("grids/adjustments/<int:round_id>/accept/", adjustment.adjustment_accept_view, name="adjustment_accept"),
    path("grids/adjustments/<int:round_id>/cancel/", adjustment.adjustment_cancel_view, name="adjustment_cancel"),
    path("imports/", imports.import_home, name="imports"),
    path("imports/roster/<int:unit_id>/", imports.import_page, {"kind": "roster"}, name="import_roster"),
    path("imports/grids/<int:street_id>/", imports.import_page, {"kind": "grids"}, name="import_grids"),
    path(
        "imports/roster/<int:unit_id>/template/",
        imports.import_template,
        {"kind": "roster"},
        name="import_roster_template",
    ),
    path(
        "imports/grids/<int:street_id>/template/",
        imports.import_template,
        {"kind": "grids"},
        name="import_grids_template",
    ),
    path("imports/runs/<int:import_id>/", imports.import_run, name="import_run"),
    path("imports/runs/<int:import_id>/report/", imports.import_report, name="import_report"),
    path(
        "grids/registrations/<int:registration_id>/decline/",
        staff.registration_decline_view,
        name="registration_decline",
    ),
]
