from django.urls import include, path

urlpatterns = [
    path("", include("rankings.cockpit.api_urls")),
]
