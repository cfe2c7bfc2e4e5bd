from django.urls import include, path

from rankings import api

urlpatterns = [
    path("boards/", api.BoardListView.as_view(), name="api-boards"),
    path("boards/<str:board>/", api.BoardView.as_view(), name="api-board"),
    path("boards/<str:board>/me/", api.MyBoardView.as_view(), name="api-board-me"),
    path("boards/<str:board>/history/", api.HistoryView.as_view(), name="api-board-history"),
    path("", include("rankings.cockpit.api_urls")),
    path("", include("rankings.units.api_urls")),
    path("", include("rankings.assessment.api_urls")),
]
