"""The 三单 pages. The tab pages (点单 · 接单) have plain names; the rest are ``orders:``."""

from django.urls import include, path

from orders.views import community_staff, members, residents, street_staff

pages = [
    path("order/nearby/", residents.order_nearby, name="order_nearby"),
    path("order/communities/", residents.order_communities, name="order_communities"),
    path("requests/<int:request_id>/", residents.request_link, name="request_link"),
    path("requests/<int:request_id>/join/", residents.nearby_request_join, name="request_join"),
    path("my/requests/", residents.my_requests, name="my_requests"),
    path("my/requests/<int:request_id>/", residents.my_request, name="my_request"),
    path("my/requests/<int:request_id>/confirm/", residents.my_request_confirm, name="request_confirm"),
    path("my/requests/<int:request_id>/rate/", residents.my_request_rate, name="request_rate"),
    path("my/requests/<int:request_id>/reopen/", residents.my_request_reopen, name="request_reopen"),
    path("tasks/<int:task_id>/", members.task_detail, name="task"),
    path("tasks/<int:task_id>/accept/", members.task_take, name="task_accept"),
    path("my/tasks/", members.my_tasks, name="my_tasks"),
    path("my/likes/", members.my_likes, name="my_likes"),
    path("my/tasks/<int:acceptance_id>/withdraw/", members.my_task_withdraw, name="withdraw"),
    path("my/tasks/<int:acceptance_id>/checkin/", members.my_task_check_in, name="checkin"),
    path("my/tasks/<int:acceptance_id>/checkout/", members.my_task_check_out, name="checkout"),
    path("work/", community_staff.work_home, name="work"),
    path("work/requests/", community_staff.work_requests, name="work_requests"),
    path("work/requests/<int:request_id>/", community_staff.work_request, name="work_request"),
    path(
        "work/requests/<int:request_id>/<str:action>/",
        community_staff.work_request_action,
        name="work_request_action",
    ),
    path("work/tasks/", community_staff.work_tasks, name="work_tasks"),
    path("work/tasks/new/", community_staff.work_task_new, name="work_task_new"),
    path("work/tasks/<int:task_id>/", community_staff.work_task, name="work_task"),
    path("work/tasks/<int:task_id>/<str:action>/", community_staff.work_task_action, name="work_task_action"),
    path("work/escalations/", street_staff.work_escalations, name="work_escalations"),
    path("work/escalations/<int:escalation_id>/", street_staff.work_escalation, name="work_escalation"),
    path(
        "work/escalations/<int:escalation_id>/<str:action>/",
        street_staff.work_escalation_action,
        name="work_escalation_action",
    ),
    path("escalations/<int:escalation_id>/", street_staff.work_escalation, name="escalation_link"),
]

urlpatterns = [
    path("order/", residents.order, name="order"),
    path("tasks/", members.tasks, name="tasks"),
    path("", include((pages, "orders"))),
]
