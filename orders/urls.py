"""The 三单 pages. The tab pages (点单 · 接单) have plain names; the rest are ``orders:``."""

from django.urls import include, path

from orders import views

pages = [
    path("order/nearby/", views.order_nearby, name="order_nearby"),
    path("requests/<int:request_id>/", views.request_link, name="request_link"),
    path("requests/<int:request_id>/join/", views.request_join, name="request_join"),
    path("my/requests/", views.my_requests, name="my_requests"),
    path("my/requests/<int:request_id>/", views.my_request, name="my_request"),
    path("my/requests/<int:request_id>/confirm/", views.request_confirm, name="request_confirm"),
    path("my/requests/<int:request_id>/rate/", views.request_rate, name="request_rate"),
    path("my/requests/<int:request_id>/reopen/", views.request_reopen, name="request_reopen"),
    path("tasks/<int:task_id>/", views.task_detail, name="task"),
    path("tasks/<int:task_id>/accept/", views.task_accept, name="task_accept"),
    path("my/tasks/", views.my_tasks, name="my_tasks"),
    path("my/tasks/<int:acceptance_id>/withdraw/", views.acceptance_withdraw, name="withdraw"),
    path("my/tasks/<int:acceptance_id>/checkin/", views.acceptance_check_in, name="checkin"),
    path("my/tasks/<int:acceptance_id>/checkout/", views.acceptance_check_out, name="checkout"),
    path("work/", views.work_home, name="work"),
    path("work/requests/", views.work_requests, name="work_requests"),
    path("work/requests/<int:request_id>/", views.work_request, name="work_request"),
    path("work/requests/<int:request_id>/<str:action>/", views.work_request_action, name="work_request_action"),
    path("work/tasks/", views.work_tasks, name="work_tasks"),
    path("work/tasks/new/", views.work_task_new, name="work_task_new"),
    path("work/tasks/<int:task_id>/", views.work_task, name="work_task"),
    path("work/tasks/<int:task_id>/<str:action>/", views.work_task_action, name="work_task_action"),
    path("work/escalations/", views.work_escalations, name="work_escalations"),
    path("work/escalations/<int:escalation_id>/", views.work_escalation, name="work_escalation"),
    path(
        "work/escalations/<int:escalation_id>/<str:action>/",
        views.work_escalation_action,
        name="work_escalation_action",
    ),
    path("escalations/<int:escalation_id>/", views.work_escalation, name="escalation_link"),
]

urlpatterns = [
    path("order/", views.order, name="order"),
    path("tasks/", views.tasks, name="tasks"),
    path("", include((pages, "orders"))),
]
