"""The leaderboard pages. The boards themselves are ``boards``; the pages under them are ``boards:``."""

from django.urls import include, path

from rankings import views

pages = [
    path("boards/stars/card/", views.star_card, name="star_card"),
    path("boards/<str:board>/history/", views.board_history, name="history"),
]

urlpatterns = [
    path("boards/", views.boards, name="boards"),
    path("", include((pages, "boards"))),
    path("", include("rankings.cockpit.urls")),
    path("", include("rankings.units.urls")),
    path("assessment/", include("rankings.assessment.urls")),
]
