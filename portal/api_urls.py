from django.urls import include, path

from portal import api

urlpatterns = [
    path("me/", api.MeView.as_view(), name="me"),
    path("me/quota/", api.MeQuotaView.as_view(), name="me-quota"),
    path("me/stars/", api.MeStarsView.as_view(), name="me-stars"),
    path("", include("portal.teams.api_urls")),
]
