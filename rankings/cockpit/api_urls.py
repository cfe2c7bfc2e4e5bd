"""The cockpit's API."""

urlpatterns: list = []
