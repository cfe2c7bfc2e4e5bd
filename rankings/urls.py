from django.urls import include, path

urlpatterns = [
    path("", include("rankings.cockpit.urls")),
]
